//! The organisation's settings: the token lifetime policy.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// `PUT /api/settings/token-policy`: the whole policy. Unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenPolicyRequest {
    /// The longest a token may live from when it is made, as an ISO 8601 duration in days or
    /// weeks (`P90D`, `P12W`); null for no maximum. A maximum implies `requireExpiry`.
    #[serde(default)]
    pub max_lifetime: Option<String>,
    /// Every new token must have an expiry.
    #[serde(default)]
    pub require_expiry: bool,
}

/// `GET` and `PUT /api/settings/token-policy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenPolicySettings {
    /// `P<n>D`, or null for no maximum.
    pub max_lifetime: Option<String>,
    /// True when every new token must expire (always with a maximum lifetime).
    pub require_expiry: bool,
    /// The latest expiry a token made now may have; null when there is no maximum.
    pub latest_expiry: Option<Timestamp>,
    /// The policy in words.
    pub summary: String,
    /// What the policy does not cover: the bootstrap token.
    pub exempt: String,
    /// When the Owner last changed it; null while it has never been set.
    pub updated_at: Option<Timestamp>,
}
