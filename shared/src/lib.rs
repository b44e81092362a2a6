//! Pure domain logic and the JSON contract shared by the worker and the browser app.
//!
//! Nothing here touches the network, a database or the DOM, so `cargo test -p shared` runs
//! natively in milliseconds and both sides agree on every rule by construction.

/// A type that travels as a JSON string in a known format, described inline (not as a named
/// schema) in the OpenAPI document.
macro_rules! string_schema {
    ($t:ty, $format:literal) => {
        #[cfg(feature = "openapi")]
        impl schemars::JsonSchema for $t {
            fn schema_name() -> String {
                $format.to_owned()
            }

            fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
                crate::openapi::derive::string_schema(Some($format))
            }

            fn is_referenceable() -> bool {
                false
            }
        }
    };
}

pub mod account;
pub mod actor;
pub mod address;
pub mod addresses;
pub mod agent;
pub mod api;
pub mod audit;
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
pub mod rotation;
pub mod routes;
pub mod scanning;
pub mod status;
pub mod throttle;
pub mod time;
pub mod token;
pub mod token_policy;
pub mod token_scope;
pub mod token_state;

pub use error::{ErrorBody, ErrorCode};
pub use id::{ConfigId, TokenId, UserId};
pub use name::TokenName;
pub use status::{TokenSource, TokenStatus};
pub use token::{TokenHash, TokenSecret};
