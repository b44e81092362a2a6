//! Pure domain logic and the JSON contract shared by the worker and the browser app.
//!
//! Nothing here touches the network, a database or the DOM, so `cargo test -p shared` runs
//! natively in milliseconds and both sides agree on every rule by construction.

pub mod account;
pub mod api;
pub mod config;
pub mod error;
pub mod expiry;
pub mod heartbeat;
pub mod id;
pub mod listing;
pub mod name;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod permissions;
pub mod roles;
pub mod routes;
pub mod status;
pub mod throttle;
pub mod time;
pub mod token;

pub use error::{ErrorBody, ErrorCode};
pub use id::{ConfigId, TokenId, UserId};
pub use name::TokenName;
pub use status::{TokenSource, TokenStatus};
pub use token::{TokenHash, TokenSecret};
