//! Request and response bodies of the JSON API (SPEC 8), in camelCase on the wire, one
//! module per area; everything is re-exported here, so callers write `shared::api::Token`.

mod accounts;
mod fleet;
mod settings;
mod tokens;

pub use accounts::*;
pub use fleet::*;
use serde::{Deserialize, Serialize};
pub use settings::*;
pub use tokens::*;

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Health {
    pub status: String,
}
