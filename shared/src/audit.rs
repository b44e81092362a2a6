//! The audit log's rules: what is recorded, how entries chain (each hash covers the previous
//! entry's hash and the entry's own content), and how a chain is verified. The worker seals
//! and reads entries; everything that decides whether the log is intact lives here.

use crate::token::sha256_hex;
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

/// The `prevHash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The most entries one page of `GET /api/audit` holds.
pub const MAX_PAGE: u32 = 200;
pub const DEFAULT_PAGE: u32 = 50;

/// The most entries one `GET /api/audit/verify` checks, and one `GET /api/audit/export`
/// answers: each request's CPU stays bounded (README, CPU per request) however long the log;
/// a longer one is verified and exported in parts.
pub const VERIFY_PAGE: u32 = 5_000;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AuditAction {
    TokenCreated,
    TokenRevoked,
    TokenReassigned,
    TokenRotated,
    TokenDeleted,
    /// A token's configuration scope or address allow-list changed (detail: before and after).
    TokenScopeChanged,
    /// The organisation's token lifetime policy changed.
    TokenPolicyChanged,
    UserCreated,
    UserUpdated,
    RoleChanged,
    UserDisabled,
    UserEnabled,
    UserDeleted,
    OwnershipTransferred,
    PasswordChanged,
    PasswordReset,
    ConfigCreated,
    ConfigUpdated,
    ConfigDeleted,
}

impl AuditAction {
    pub const ALL: &'static [AuditAction] = Self::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }

    /// What the audit page calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::TokenCreated => "Token created",
            Self::TokenRevoked => "Token revoked",
            Self::TokenReassigned => "Token reassigned",
            Self::TokenRotated => "Token rotated",
            Self::TokenDeleted => "Token deleted",
            Self::TokenScopeChanged => "Token scope changed",
            Self::TokenPolicyChanged => "Token policy changed",
            Self::UserCreated => "User created",
            Self::UserUpdated => "User updated",
            Self::RoleChanged => "Role changed",
            Self::UserDisabled => "User disabled",
            Self::UserEnabled => "User enabled",
            Self::UserDeleted => "User deleted",
            Self::OwnershipTransferred => "Ownership transferred",
            Self::PasswordChanged => "Password changed",
            Self::PasswordReset => "Password reset",
            Self::ConfigCreated => "Configuration created",
            Self::ConfigUpdated => "Configuration updated",
            Self::ConfigDeleted => "Configuration deleted",
        }
    }
}

/// What an entry acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(IntoStaticStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SubjectType {
    Token,
    User,
    Config,
    /// The organisation's settings (the token lifetime policy).
    Settings,
}

impl SubjectType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl AuditAction {
    /// What a management route does, for an entry recording that its access check refused
    /// someone (`denied`); `None` for routes that read, sign in or are agents'.
    pub fn attempted(endpoint: crate::routes::Endpoint) -> Option<Self> {
        use crate::routes::Endpoint as E;
        Some(match endpoint {
            E::CreateUser => Self::UserCreated,
            E::UpdateUser => Self::UserUpdated,
            E::DeleteUser => Self::UserDeleted,
            E::TransferOwnership => Self::OwnershipTransferred,
            E::SetPassword => Self::PasswordReset,
            E::CreateToken => Self::TokenCreated,
            E::BulkDeleteTokens | E::DeleteToken => Self::TokenDeleted,
            E::BulkRevokeTokens | E::RevokeToken => Self::TokenRevoked,
            E::BulkReassignTokens | E::ReassignToken => Self::TokenReassigned,
            E::RotateToken => Self::TokenRotated,
            E::UpdateToken => Self::TokenScopeChanged,
            E::SetTokenPolicy => Self::TokenPolicyChanged,
            E::CreateConfig => Self::ConfigCreated,
            E::UpdateConfig => Self::ConfigUpdated,
            E::DeleteConfig => Self::ConfigDeleted,
            _ => return None,
        })
    }
}

/// The digest that stands for a reference (a token or user, by id and name) in the chain. The
/// nonce is random per entry and erased with the reference when a token is deleted, so the
/// digest that stays behind cannot be tied to the deleted token, and the chain still holds.
/// Empty when there is no reference (or it was erased before the entry was sealed).
pub fn reference_digest(nonce: Option<&str>, id: Option<&str>, name: Option<&str>) -> String {
    match (nonce, id, name) {
        (None, None, None) => String::new(),
        (nonce, id, name) => {
            sha256_hex(serde_json::json!([nonce, id, name]).to_string().as_bytes())
        }
    }
}

/// What an entry's hash covers besides the previous hash: every field that says what
/// happened, with references as their digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor: &'a str,
    /// Covered only when recorded: entries sealed before kinds existed verify as they were.
    pub actor_kind: Option<&'a str>,
    pub actor_digest: &'a str,
    pub action: &'a str,
    pub subject_type: Option<&'a str>,
    pub subject_digest: &'a str,
    pub count: i64,
    pub detail: Option<&'a str>,
    /// Covered when recorded (entries sealed before outcomes were recorded have none), with
    /// the client's address and user agent after it.
    pub outcome: Option<&'a str>,
    pub client_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

impl Sealed<'_> {
    /// SHA-256 of the previous entry's hash and this entry's content, as a JSON array (one
    /// unambiguous encoding: no field can run into the next). The actor's kind is appended
    /// when recorded; an entry with an outcome appends the kind (or null), the outcome, the
    /// address and the user agent.
    pub fn hash(&self, prev_hash: &str) -> String {
        sha256_hex(self.content(prev_hash).as_bytes())
    }

    /// The hash under an `AUDIT_KEY` key: HMAC-SHA-256 of the same content.
    pub fn keyed_hash(&self, prev_hash: &str, key: &key::AuditKey) -> String {
        key.sign(self.content(prev_hash).as_bytes())
    }

    /// What the hash covers, as the JSON text hashed.
    fn content(&self, prev_hash: &str) -> String {
        let mut content = serde_json::json!([
            prev_hash,
            self.seq,
            self.at,
            self.actor,
            self.actor_digest,
            self.action,
            self.subject_type,
            self.subject_digest,
            self.count,
            self.detail
        ]);
        if let Some(fields) = content.as_array_mut() {
            match self.outcome {
                None => fields.extend(self.actor_kind.map(serde_json::Value::from)),
                Some(outcome) => fields.extend([
                    self.actor_kind.into(),
                    outcome.into(),
                    self.client_ip.into(),
                    self.user_agent.into(),
                ]),
            }
        }
        content.to_string()
    }
}

/// One entry as stored, for verification.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StoredEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    #[serde(default)]
    pub actor_kind: Option<String>,
    pub actor_token_id: Option<String>,
    pub actor_token_name: Option<String>,
    pub actor_nonce: Option<String>,
    pub action: String,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub subject_name: Option<String>,
    pub subject_nonce: Option<String>,
    pub count: i64,
    pub detail: Option<String>,
    pub actor_digest: Option<String>,
    pub subject_digest: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub client_ip: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    /// The `AUDIT_KEY` key its hash is an HMAC under; `None`: a plain SHA-256.
    #[serde(default)]
    pub key_id: Option<String>,
}

impl StoredEntry {
    /// The digests this entry's references have now.
    pub fn digests(&self) -> (String, String) {
        (
            reference_digest(
                self.actor_nonce.as_deref(),
                self.actor_token_id.as_deref(),
                self.actor_token_name.as_deref(),
            ),
            reference_digest(
                self.subject_nonce.as_deref(),
                self.subject_id.as_deref(),
                self.subject_name.as_deref(),
            ),
        )
    }

    /// The content the chain covers, with the digests given.
    pub fn sealed<'a>(&'a self, actor_digest: &'a str, subject_digest: &'a str) -> Sealed<'a> {
        Sealed {
            seq: self.seq,
            at: self.at,
            actor: &self.actor,
            actor_kind: self.actor_kind.as_deref(),
            actor_digest,
            action: &self.action,
            subject_type: self.subject_type.as_deref(),
            subject_digest,
            count: self.count,
            detail: self.detail.as_deref(),
            outcome: self.outcome.as_deref(),
            client_ip: self.client_ip.as_deref(),
            user_agent: self.user_agent.as_deref(),
        }
    }
}

/// Where a chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub problem: String,
}

/// Checks sealed entries in `seq` order, continuing from `prev` (the hash of the entry before
/// the first, or [`GENESIS`]): each links to the one before, its hash matches its content,
/// and each reference still present matches the digest the chain holds (an erased one, of a
/// deleted token, cannot be checked and does not need to be). Returns the last hash.
///
/// An entry with a key id is checked under that key of `keys` (one it does not hold is a
/// break: the entry cannot be checked); once an entry is keyed, every entry after it must be
/// (`keyed` carries that across chunks): a chain rewritten with the database alone, re-hashed
/// without the key, breaks at its first rewritten entry.
pub fn verify<'a>(
    prev: &str,
    entries: impl IntoIterator<Item = &'a StoredEntry>,
    keys: Option<&key::AuditKeys>,
    keyed: &mut bool,
) -> Result<String, Break> {
    let mut prev = prev.to_owned();
    for e in entries {
        let broken = |problem: &str| Break {
            seq: e.seq,
            problem: problem.to_owned(),
        };
        let (Some(hash), Some(prev_hash), Some(actor_digest), Some(subject_digest)) = (
            e.hash.as_deref(),
            e.prev_hash.as_deref(),
            e.actor_digest.as_deref(),
            e.subject_digest.as_deref(),
        ) else {
            return Err(broken("the entry is not sealed"));
        };
        if prev_hash != prev {
            return Err(broken(
                "its prevHash is not the previous entry's hash: an entry before it was removed, inserted or changed",
            ));
        }
        let (actor_now, subject_now) = e.digests();
        if e.actor_nonce.is_some() && actor_now != actor_digest {
            return Err(broken("the acting token's reference was changed"));
        }
        if e.subject_nonce.is_some() && subject_now != subject_digest {
            return Err(broken("what it acted on was changed"));
        }
        let sealed = e.sealed(actor_digest, subject_digest);
        let expected = match e.key_id.as_deref() {
            None if *keyed => {
                return Err(broken(
                    "it is not keyed, after keyed entries: it was re-hashed without AUDIT_KEY",
                ))
            }
            None => sealed.hash(prev_hash),
            Some(id) => {
                let key = keys.and_then(|k| k.get(id)).ok_or_else(|| {
                    broken(&format!(
                        "it is keyed with \"{id}\", which AUDIT_KEY does not hold: add that key (after the current one) to check it"
                    ))
                })?;
                *keyed = true;
                sealed.keyed_hash(prev_hash, key)
            }
        };
        if expected != hash {
            return Err(broken("its content does not match its hash"));
        }
        prev = hash.to_owned();
    }
    Ok(prev)
}

mod api;
pub mod export;
pub mod key;
mod origin;
mod query;
#[cfg(test)]
mod tests;

pub use api::{AuditEntry, AuditForwarding, AuditList, AuditVerification};
pub use origin::{clean_address, clean_user_agent, Outcome, MAX_USER_AGENT};
pub use query::AuditQuery;
