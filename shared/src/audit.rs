//! The audit log's rules: what is recorded, how entries chain (each hash covers the previous
//! entry's hash and the entry's own content), and how a chain is verified. The worker seals
//! and reads entries; everything that decides whether the log is intact lives here.

use crate::time::Timestamp;
use crate::token::sha256_hex;
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

/// The `prevHash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The most entries one page of `GET /api/audit` holds.
pub const MAX_PAGE: u32 = 200;
pub const DEFAULT_PAGE: u32 = 50;

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
}

impl SubjectType {
    pub fn as_str(self) -> &'static str {
        self.into()
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
}

impl Sealed<'_> {
    /// SHA-256 of the previous entry's hash and this entry's content, as a JSON array (one
    /// unambiguous encoding: no field can run into the next).
    pub fn hash(&self, prev_hash: &str) -> String {
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
        if let (Some(kind), Some(fields)) = (self.actor_kind, content.as_array_mut()) {
            fields.push(kind.into());
        }
        sha256_hex(content.to_string().as_bytes())
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
pub fn verify<'a>(
    prev: &str,
    entries: impl IntoIterator<Item = &'a StoredEntry>,
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
        if e.sealed(actor_digest, subject_digest).hash(prev_hash) != hash {
            return Err(broken("its content does not match its hash"));
        }
        prev = hash.to_owned();
    }
    Ok(prev)
}

/// One entry as `GET /api/audit` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    pub at: Timestamp,
    /// The username of who acted (for a token, its owner's), `OWNER_TOKEN` for the
    /// instance's bootstrap token, or `secret scanning` for a leak report.
    pub actor: String,
    /// The description of the API token that acted, when one did and it still exists.
    pub actor_token: Option<String>,
    /// What kind of actor it was (`null` on entries written before kinds were recorded). A
    /// `token` entry without `actorToken` was made with a token since deleted.
    pub actor_kind: Option<crate::actor::ActorKind>,
    pub action: AuditAction,
    pub subject_type: Option<SubjectType>,
    /// Null when there is none, or it was a token that has since been deleted.
    pub subject_id: Option<String>,
    pub subject_name: Option<String>,
    /// How many tokens a bulk action changed (1 otherwise).
    pub count: i64,
    pub detail: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// `GET /api/audit`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditList {
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` for the next (older) page.
    pub next_cursor: Option<String>,
}

/// `GET /api/audit/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditVerification {
    pub intact: bool,
    /// Entries checked.
    pub entries: u64,
    /// The newest entry's hash: keep it elsewhere to detect a truncated log later.
    pub head: Option<String>,
    /// The first entry whose link or content does not hold.
    pub broken_at: Option<i64>,
    pub problem: Option<String>,
}

/// The filters of `GET /api/audit`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    /// Entries older than this `seq`.
    pub before: Option<i64>,
    pub limit: u32,
}

impl AuditQuery {
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, String> {
        let mut q = AuditQuery {
            limit: DEFAULT_PAGE,
            ..Default::default()
        };
        for (key, value) in pairs {
            match key {
                "actor" => {
                    let actor = value.trim();
                    if actor.chars().count() > 255 {
                        return Err("actor is at most 255 characters".into());
                    }
                    q.actor = (!actor.is_empty()).then(|| actor.to_owned());
                }
                "action" if value.is_empty() => q.action = None,
                "action" => {
                    q.action = Some(AuditAction::parse(value).ok_or_else(|| {
                        format!(
                            "action must be one of {}",
                            AuditAction::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
                        )
                    })?)
                }
                "cursor" => {
                    q.before = Some(
                        value
                            .parse::<i64>()
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or("cursor must be the nextCursor of the previous page")?,
                    )
                }
                "limit" => {
                    q.limit = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE).contains(n))
                        .ok_or(format!("limit must be a whole number from 1 to {MAX_PAGE}"))?
                }
                other => {
                    return Err(format!(
                        "unknown query parameter \"{}\"; the audit log accepts actor, action, cursor and limit",
                        other.chars().take(50).collect::<String>()
                    ))
                }
            }
        }
        Ok(q)
    }

    /// The filters a page address asks for; a bad value is no filter (an address is never
    /// an error).
    pub fn from_address(search: &str) -> Self {
        let mut q = AuditQuery {
            limit: DEFAULT_PAGE,
            ..Default::default()
        };
        for (key, value) in crate::address::pairs(search) {
            if let Ok(one) = Self::parse([(key.as_str(), value.as_str())]) {
                match key.as_str() {
                    "actor" => q.actor = one.actor,
                    "action" => q.action = one.action,
                    _ => {}
                }
            }
        }
        q
    }

    /// The query string of this filter (no cursor, no limit), for the page's address.
    pub fn to_address(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(actor) = &self.actor {
            pairs.push(format!("actor={}", crate::address::encode(actor)));
        }
        if let Some(action) = self.action {
            pairs.push(format!("action={}", action.as_str()));
        }
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, name: Option<&str>) -> StoredEntry {
        StoredEntry {
            seq,
            at: 1_000 + seq,
            actor: "alice".into(),
            // Even entries carry a kind, odd ones were sealed before kinds were recorded.
            actor_kind: (seq % 2 == 0).then(|| "user".into()),
            actor_token_id: None,
            actor_token_name: None,
            actor_nonce: None,
            action: "token_revoked".into(),
            subject_type: Some("token".into()),
            subject_id: name.map(|_| format!("id-{seq}")),
            subject_name: name.map(str::to_owned),
            subject_nonce: name.map(|_| format!("nonce-{seq}")),
            count: 1,
            detail: None,
            actor_digest: None,
            subject_digest: None,
            prev_hash: None,
            hash: None,
        }
    }

    /// Seals entries the way the worker does.
    fn seal(entries: &mut [StoredEntry]) {
        let mut prev = GENESIS.to_owned();
        for e in entries {
            let (a, s) = e.digests();
            let hash = e.sealed(&a, &s).hash(&prev);
            e.actor_digest = Some(a);
            e.subject_digest = Some(s);
            e.prev_hash = Some(prev);
            e.hash = Some(hash.clone());
            prev = hash;
        }
    }

    fn chain() -> Vec<StoredEntry> {
        let mut entries: Vec<StoredEntry> = (1..=4)
            .map(|i| entry(i, Some(&format!("token {i}"))))
            .collect();
        seal(&mut entries);
        entries
    }

    #[test]
    fn an_untouched_chain_verifies_and_names_its_head() {
        let entries = chain();
        assert_eq!(
            verify(GENESIS, &entries),
            Ok(entries[3].hash.clone().unwrap())
        );
    }

    #[test]
    fn any_change_removal_or_insertion_names_the_first_broken_entry() {
        let mut changed = chain();
        changed[1].detail = Some("edited".into());
        assert_eq!(verify(GENESIS, &changed).unwrap_err().seq, 2);

        let mut renamed = chain();
        renamed[2].subject_name = Some("someone else".into());
        assert_eq!(verify(GENESIS, &renamed).unwrap_err().seq, 3);

        let mut removed = chain();
        removed.remove(1);
        assert_eq!(verify(GENESIS, &removed).unwrap_err().seq, 3);

        let mut rekinded = chain();
        rekinded[1].actor_kind = Some("bootstrap_token".into());
        assert_eq!(verify(GENESIS, &rekinded).unwrap_err().seq, 2);
        let mut unkinded = chain();
        unkinded[3].actor_kind = None;
        assert_eq!(verify(GENESIS, &unkinded).unwrap_err().seq, 4);

        let mut rehashed = chain();
        rehashed[0].actor = "mallory".into();
        let (a, s) = rehashed[0].digests();
        rehashed[0].hash = Some(rehashed[0].sealed(&a, &s).hash(GENESIS));
        assert_eq!(
            verify(GENESIS, &rehashed).unwrap_err().seq,
            2,
            "re-hashing one entry breaks the next link"
        );
    }

    #[test]
    fn erasing_a_deleted_tokens_reference_keeps_the_chain_and_leaves_nothing_of_it() {
        let mut entries = chain();
        let e = &mut entries[1];
        let digest = e.subject_digest.clone().unwrap();
        (e.subject_id, e.subject_name, e.subject_nonce) = (None, None, None);
        assert!(verify(GENESIS, &entries).is_ok());
        assert!(!digest.contains("token 2") && digest.len() == 64);
        // The digest depends on the erased nonce: knowing id and name does not reproduce it.
        assert_ne!(
            reference_digest(None, Some("id-2"), Some("token 2")),
            digest
        );
    }

    #[test]
    fn the_query_takes_filters_and_refuses_the_rest() {
        let q = AuditQuery::parse([
            ("actor", " alice "),
            ("action", "token_deleted"),
            ("cursor", "40"),
            ("limit", "10"),
        ])
        .unwrap();
        assert_eq!(
            (q.actor.as_deref(), q.action, q.before, q.limit),
            (Some("alice"), Some(AuditAction::TokenDeleted), Some(40), 10)
        );
        assert_eq!(q.to_address(), "?actor=alice&action=token_deleted");
        for bad in [
            ("action", "deleted"),
            ("cursor", "x"),
            ("cursor", "0"),
            ("limit", "0"),
            ("limit", "201"),
            ("sort", "at"),
        ] {
            assert!(AuditQuery::parse([bad]).is_err(), "{bad:?}");
        }
        assert_eq!(AuditQuery::parse([]).unwrap().limit, DEFAULT_PAGE);
        let back = AuditQuery::from_address("?actor=ada%20l&action=role_changed&cursor=9&x=1");
        assert_eq!(
            (back.actor.as_deref(), back.action, back.before),
            (Some("ada l"), Some(AuditAction::RoleChanged), None)
        );
        assert_eq!(AuditQuery::from_address(&back.to_address()), back);
        assert_eq!(
            AuditQuery::from_address("?action=nope"),
            AuditQuery::from_address("")
        );
    }
}
