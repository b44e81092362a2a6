//! The fleet: Telegraf configurations and the agents that report.

use crate::agent::AgentState;
use crate::id::{ConfigId, TokenId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A Telegraf configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub id: ConfigId,
    pub name: String,
    pub toml: String,
    pub updated_at: Timestamp,
    /// In the list (`GET /api/configs`): how many unrevoked tokens have a configuration scope
    /// naming it; every token with all configurations reads it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoped_tokens: Option<u64>,
}

/// `GET /api/configs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ConfigList {
    pub items: Vec<Config>,
}

/// `POST /api/configs` and `PUT /api/configs/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfigRequest {
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 255)))]
    pub name: String,
    pub toml: String,
}

/// A Telegraf agent as its last heartbeat described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    pub id: String,
    pub hostname: Option<String>,
    pub version: String,
    pub status: Option<String>,
    pub metrics: Option<i64>,
    pub configurations: Vec<String>,
    pub last_seen: Timestamp,
    /// Reporting, not reporting (silent for three of its intervals), or refused.
    pub state: AgentState,
    /// The token of its last heartbeat; null once that token is deleted.
    pub token_id: Option<TokenId>,
    pub token_name: Option<String>,
    pub ip: Option<String>,
}

/// `GET /api/agents`: most recently seen first, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentList {
    pub items: Vec<Agent>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}
