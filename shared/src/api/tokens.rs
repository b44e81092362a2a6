//! Tokens: the token as every endpoint shows it, creating, listing, history and bulk changes.

use crate::id::{ConfigId, TokenId, UserId};
use crate::permissions::Permissions;
use crate::roles::Role;
use crate::status::{TokenSource, TokenStatus};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use crate::openapi::derive as schema;

/// A token as every endpoint shows it. Never carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub id: TokenId,
    pub name: String,
    /// Prefix and last four characters: enough to recognise a token, useless to an attacker.
    pub hint: String,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub permissions: Permissions,
    /// What the token may really do now: its permissions within its owner's role (capped by
    /// its creator's). Narrower than `permissions` after a reassignment or a demotion.
    pub effective_permissions: Permissions,
    /// The role the token acts with: its owner's, capped by its creator's (`null`: an
    /// ownerless token, which acts as nobody).
    pub acting_role: Option<Role>,
    pub status: TokenStatus,
    pub source: TokenSource,
    pub created_at: Timestamp,
    pub created_by: Option<String>,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<Timestamp>,
    pub last_used_ip: Option<String>,
    pub last_used_agent: Option<String>,
    /// Ids of the agents whose heartbeat used this token in the last 24 hours.
    pub recent_agents: Vec<String>,
    /// When its secret was last replaced (`POST /api/tokens/{id}/rotate`).
    pub rotated_at: Option<Timestamp>,
    /// Until when the secret before the last rotation is still accepted; in the past once
    /// the overlap is over (or was none). Null for a token never rotated.
    pub previous_valid_until: Option<Timestamp>,
    /// When an agent last presented the previous secret (kept to the minute, like last use).
    pub previous_last_used_at: Option<Timestamp>,
    /// The configurations it may read; `null` for all. Empty once every one it named was
    /// deleted: it then reads none.
    #[serde(default)]
    pub config_scope: Option<Vec<ConfigId>>,
    /// The client address blocks (CIDR) it may be used from; `null` for any address.
    #[serde(default)]
    pub allowed_addresses: Option<Vec<String>>,
    /// Against the organisation's lifetime policy: `beyond` when it would not be made today
    /// (it never expires, or expires later than the policy allows from now; it keeps
    /// working), `exempt` for the bootstrap token; null otherwise, and with no policy.
    #[serde(default)]
    pub lifetime_policy: Option<crate::token_policy::Standing>,
}

/// `GET /api/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenList {
    pub items: Vec<Token>,
    /// How many tokens match, over all pages; with `totalCapped`, at least this many.
    pub total: u64,
    /// True when a filtered list stopped counting at `listing::COUNT_CAP` (1,000): more than
    /// `total` tokens match.
    #[serde(default)]
    pub total_capped: bool,
    pub next_cursor: Option<String>,
    /// A listing that walks the list (a search whose pieces are all common, the Active
    /// filter) stopped after examining `listing::SEARCH_WINDOW` tokens before the page was
    /// full: `nextCursor` goes on from the last token it examined, and `total` counts the
    /// matches among the first tokens examined (with `totalCapped`: at least that many).
    #[serde(default)]
    pub more_to_search: bool,
}

/// `POST /api/tokens`. Unknown fields are refused rather than silently ignored, so a typo in
/// a script fails loudly instead of creating a token other than the one intended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// The Description; unique.
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 255)))]
    pub name: String,
    /// Comma-separated `resource:action` pairs; or use `preset`; neither means `telegraf-agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(schema_with = "schema::permissions_text")
    )]
    pub permissions: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    /// RFC 3339, in the future; absent or null for a token that never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::future_instant"))]
    pub expires_at: Option<String>,
    /// A pre-shared token string the caller chose, in the token format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::raw_token"))]
    pub raw_token: Option<String>,
    /// The ids of the configurations it may read; absent or null for all. A token creating a
    /// token must name configurations within its own scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::config_ids"))]
    pub config_scope: Option<Vec<String>>,
    /// IPv4 and IPv6 CIDR blocks (or single addresses) it may be used from; absent or null
    /// for any address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::address_blocks"))]
    pub allowed_addresses: Option<Vec<String>>,
}

/// `PATCH /api/tokens/{id}`: what to change; an absent field stays as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct UpdateTokenRequest {
    /// The configurations it may read from its next request on: a list of ids, or null for
    /// all.
    #[serde(deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::config_ids"))]
    pub config_scope: Option<Option<Vec<String>>>,
    /// The address blocks it may be used from, from its next request on; null for any.
    #[serde(deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::address_blocks"))]
    pub allowed_addresses: Option<Option<Vec<String>>>,
}

/// A field that is present, even as null: `Some(None)`; absent (serde's default): `None`.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `GET /api/tokens/capabilities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub pre_shared_tokens_enabled: bool,
}

/// `POST /api/tokens/{id}/reassign`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReassignRequest {
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::uuid_text"))]
    pub user_id: String,
}

/// `POST /api/tokens/{id}/rotate`. The answer is a [`CreatedToken`]: the same token, with
/// its new secret, shown this once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateRequest {
    /// How long the previous secret keeps working: an ISO 8601 duration from `PT0S` (the
    /// default: it stops at once) to `P7D`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::overlap_text"))]
    pub overlap: Option<String>,
}

/// The most tokens one bulk request may name.
pub const MAX_BULK: usize = 1000;

/// `POST /api/tokens/bulk-delete` and `bulk-revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::bulk_ids"))]
    pub ids: Vec<String>,
}

/// `POST /api/tokens/bulk-reassign`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkReassignRequest {
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::bulk_ids"))]
    pub ids: Vec<String>,
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::uuid_text"))]
    pub user_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BulkDeleted {
    pub deleted: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BulkRevoked {
    pub revoked: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BulkReassigned {
    pub reassigned: u64,
}

/// What happened to a token, for its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum EventKind {
    Created,
    Revoked,
    Reassigned,
    FirstUse,
    Usage,
    /// An agent presented the token after it stopped working (at most one a minute).
    Refused,
    /// A new secret replaced the old one (detail: the overlap).
    Rotated,
    /// The daily expiry notice named it to the webhook.
    ExpiryNotice,
    /// Its configuration scope or address allow-list changed (detail: before and after).
    ScopeChanged,
}

impl EventKind {
    /// Every kind of history event.
    pub const ALL: &'static [EventKind] = <Self as strum::VariantArray>::VARIANTS;

    /// The word stored in `token_events.kind` (and sent on the wire).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// What the history calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Revoked => "Revoked",
            Self::Reassigned => "Reassigned",
            Self::FirstUse => "First used",
            Self::Usage => "Used",
            Self::Refused => "Refused",
            Self::Rotated => "Rotated",
            Self::ExpiryNotice => "Expiry notice sent",
            Self::ScopeChanged => "Scope changed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenEvent {
    pub id: String,
    pub kind: EventKind,
    pub at: Timestamp,
    /// Who did it, named as they are now (`ada`, `ada (token "ci")`, `a deleted token`,
    /// `the bootstrap token (OWNER_TOKEN)`); for an agent's first use, usage or refusal, the
    /// address it came from.
    pub actor: Option<String>,
    /// What kind of actor it was; `null` for agent events.
    pub actor_kind: Option<crate::actor::ActorKind>,
    pub detail: Option<String>,
}

/// `GET /api/tokens/{id}/history`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventList {
    pub items: Vec<TokenEvent>,
}

/// The create dialog's named permission sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Configs Read + Heartbeat Write.
    TelegrafAgent,
    /// Everything the creator's role allows.
    FullAccess,
}

/// `201` answer to `POST /api/tokens`: the only response that ever contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreatedToken {
    pub token: Token,
    #[cfg_attr(feature = "openapi", schemars(schema_with = "schema::raw_token"))]
    pub secret: String,
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;

/// A token with its fields set as the server would write them, for the tests on both sides of
/// the wire (`shared`'s own, and the SPA's decoder in the browser).
#[cfg(any(test, feature = "fixtures"))]
impl Token {
    pub fn sample() -> Token {
        use crate::permissions::Permissions;
        use crate::roles::Role;
        use crate::{TokenId, TokenSource, TokenStatus, UserId};
        let at = |ms| Some(Timestamp::from_millis(ms).unwrap());
        Token {
            id: TokenId::parse("0000044c-0000-4000-8000-00000000044c").unwrap(),
            name: "seed \u{e9} 1100".into(),
            hint: "tc-apiv1_\u{2026}0000".into(),
            owner_id: UserId::parse("9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab"),
            owner_name: Some("The Owner".into()),
            permissions: Permissions::parse("configs:read,heartbeat:write").unwrap(),
            effective_permissions: Permissions::parse("configs:read").unwrap(),
            acting_role: Some(Role::Manager),
            status: TokenStatus::Active,
            source: TokenSource::User,
            created_at: Timestamp::from_millis(1_700_000_001_100).unwrap(),
            created_by: None,
            expires_at: at(4_000_000_000_001),
            revoked_at: None,
            revoked_by: None,
            last_used_at: at(1_700_000_000_007),
            last_used_ip: Some("2001:db8::1".into()),
            last_used_agent: Some("Telegraf/1.39.0".into()),
            recent_agents: vec!["edge-01".into(), "edge-02".into()],
            config_scope: None,
            allowed_addresses: None,
            lifetime_policy: None,
            rotated_at: None,
            previous_valid_until: None,
            previous_last_used_at: None,
        }
    }
}
