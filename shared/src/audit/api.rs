//! The audit log's answers: entries, pages, a verification and the forwarding state.

use super::{AuditAction, Outcome, SubjectType};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

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
    /// How it ended; entries written before outcomes were recorded were all successes.
    pub outcome: Outcome,
    /// The client's address and user agent, where recorded.
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
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
    /// The key new entries are sealed with (`AUDIT_KEY`'s first id); null: the chain is
    /// unkeyed, plain SHA-256, which anyone with write access to the database can rewrite.
    pub key_id: Option<String>,
    /// How many of the entries checked are keyed (the others were sealed before a key was set,
    /// or without one).
    pub keyed_entries: u64,
    /// Set when the log goes on past what one request checks ([`super::VERIFY_PAGE`]
    /// entries): ask again with `after` = this and `head` = this answer's `head`. The parts,
    /// joined with [`AuditVerification::then`], verify the chain as one pass would.
    #[serde(default)]
    pub next: Option<i64>,
}

impl AuditVerification {
    /// This part of a verification followed by the next: the counts add up, and the last
    /// part says whether it holds, where it ends and where it breaks.
    pub fn then(self, next: AuditVerification) -> AuditVerification {
        AuditVerification {
            entries: self.entries + next.entries,
            keyed_entries: self.keyed_entries + next.keyed_entries,
            head: next.head.or(self.head),
            ..next
        }
    }
}

/// `GET /api/audit/forwarding`: how forwarding to `AUDIT_WEBHOOK_URL` stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditForwarding {
    /// `AUDIT_WEBHOOK_URL` is set.
    pub configured: bool,
    /// Sealed entries not yet taken by the receiver (queued, being retried, or not queued yet).
    pub waiting: u64,
    pub delivered: u64,
    /// Entries whose every try failed: they are in the dead-letter queue, not delivered.
    pub dead_lettered: u64,
    pub last_delivered_at: Option<Timestamp>,
    /// Why the last try failed, while the receiver has not taken a batch since.
    pub last_error: Option<String>,
}
