//! The browser app: a Leptos single-page app for managing API tokens.
//!
//! `api` is the only module that knows URLs; `pages` holds one module per route and
//! `components` the pieces more than one page uses.

pub mod api;
mod app;
pub mod components;
mod decode;
mod effect;
mod encode;
pub mod format;
mod pages;
pub mod router;
mod session;

pub use app::App;
