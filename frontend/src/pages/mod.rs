//! One module per route.

pub mod not_found;
pub mod setup;
pub mod signin;
pub mod token_detail;
pub mod tokens;
pub mod users;
