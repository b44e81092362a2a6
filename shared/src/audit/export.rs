//! The audit log as exported (`GET /api/audit/export`): per sealed entry, oldest first, every
//! field its hash covers, exactly as hashed (the instant in Unix milliseconds, references as
//! their digests), its `prevHash` and `hash`, and the readable names beside. Anyone holding an
//! export recomputes every hash from it alone (`scripts/verify-audit.mjs`): SHA-256 of the JSON
//! array `[prevHash, seq, at, actor, actorDigest, action, subjectType, subjectDigest, count,
//! detail]`, with `actorKind` appended when the entry has one; an entry with an `outcome`
//! appends `actorKind` (or null), `outcome`, `clientIp` and `userAgent` instead. An entry
//! with a `keyId` is an HMAC-SHA-256 of the same text under that `AUDIT_KEY` key.

use super::{Sealed, StoredEntry};
use serde::{Deserialize, Serialize};

/// The most entries one export request answers: a larger log is exported in parts (`from`,
/// and the answer's `Link: <…?from=N>; rel="next"`).
pub const MAX_EXPORT: u32 = super::VERIFY_PAGE;

/// One entry of an export: one line of NDJSON, one row of CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExportLine {
    pub seq: i64,
    /// Unix milliseconds, as hashed.
    pub at: i64,
    pub actor: String,
    /// Hashed when present (entries sealed before kinds were recorded have none).
    pub actor_kind: Option<String>,
    /// SHA-256 of the acting token's reference (empty when none): hashed in its place.
    pub actor_digest: String,
    pub action: String,
    pub subject_type: Option<String>,
    /// SHA-256 of the subject's reference (empty when none): hashed in its place.
    pub subject_digest: String,
    pub count: i64,
    pub detail: Option<String>,
    /// Hashed, with the two after it, when present (entries sealed before outcomes were
    /// recorded have none).
    pub outcome: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The `AUDIT_KEY` key whose HMAC the hash is; null: a plain SHA-256.
    pub key_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// Readable, not hashed themselves (their digests are): the acting token's description
    /// and the subject's id and name, gone once a deleted token's references are erased.
    pub actor_token: Option<String>,
    pub subject_id: Option<String>,
    pub subject_name: Option<String>,
}

impl ExportLine {
    /// The line for a sealed entry; `None` for one not sealed yet.
    pub fn of(e: StoredEntry) -> Option<Self> {
        Some(Self {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            actor_kind: e.actor_kind,
            actor_digest: e.actor_digest?,
            action: e.action,
            subject_type: e.subject_type,
            subject_digest: e.subject_digest?,
            count: e.count,
            detail: e.detail,
            outcome: e.outcome,
            client_ip: e.client_ip,
            user_agent: e.user_agent,
            key_id: e.key_id,
            prev_hash: e.prev_hash?,
            hash: e.hash?,
            actor_token: e.actor_token_name,
            subject_id: e.subject_id,
            subject_name: e.subject_name,
        })
    }

    /// What its hash covers, for the chain's own rule.
    pub fn sealed(&self) -> Sealed<'_> {
        Sealed {
            seq: self.seq,
            at: self.at,
            actor: &self.actor,
            actor_kind: self.actor_kind.as_deref(),
            actor_digest: &self.actor_digest,
            action: &self.action,
            subject_type: self.subject_type.as_deref(),
            subject_digest: &self.subject_digest,
            count: self.count,
            detail: self.detail.as_deref(),
            outcome: self.outcome.as_deref(),
            client_ip: self.client_ip.as_deref(),
            user_agent: self.user_agent.as_deref(),
        }
    }

    /// The CSV header, in the order of [`ExportLine::csv`].
    pub const CSV_HEADER: &'static str = "seq,at,actor,actorKind,actorDigest,action,subjectType,subjectDigest,count,detail,outcome,clientIp,userAgent,keyId,prevHash,hash,actorToken,subjectId,subjectName\r\n";

    /// One CSV row (RFC 4180: every text quoted, quotes doubled, CRLF). An empty field stands
    /// for both null and "": the CSV is for reading in a spreadsheet; NDJSON is what verifies.
    pub fn csv(&self) -> String {
        let text = |t: Option<&str>| match t {
            None => String::new(),
            Some(t) => format!("\"{}\"", t.replace('"', "\"\"")),
        };
        [
            self.seq.to_string(),
            self.at.to_string(),
            text(Some(&self.actor)),
            text(self.actor_kind.as_deref()),
            text(Some(&self.actor_digest)),
            text(Some(&self.action)),
            text(self.subject_type.as_deref()),
            text(Some(&self.subject_digest)),
            self.count.to_string(),
            text(self.detail.as_deref()),
            text(self.outcome.as_deref()),
            text(self.client_ip.as_deref()),
            text(self.user_agent.as_deref()),
            text(self.key_id.as_deref()),
            text(Some(&self.prev_hash)),
            text(Some(&self.hash)),
            text(self.actor_token.as_deref()),
            text(self.subject_id.as_deref()),
            text(self.subject_name.as_deref()),
        ]
        .join(",")
            + "\r\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::GENESIS;

    fn entry() -> StoredEntry {
        let mut e = StoredEntry {
            seq: 1,
            at: 1_767_225_600_000,
            actor: "owner".into(),
            actor_kind: Some("user".into()),
            actor_token_id: None,
            actor_token_name: None,
            actor_nonce: None,
            action: "token_created".into(),
            subject_type: Some("token".into()),
            subject_id: Some("9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab".into()),
            subject_name: Some("edge \"a\", b".into()),
            subject_nonce: Some("00ff".into()),
            count: 1,
            detail: Some("line one\nline two \u{2192}".into()),
            actor_digest: None,
            subject_digest: None,
            prev_hash: None,
            hash: None,
            outcome: Some("success".into()),
            client_ip: Some("203.0.113.7".into()),
            user_agent: Some("Mozilla/5.0 \"test\"".into()),
            key_id: None,
        };
        let (actor, subject) = e.digests();
        let hash = e.sealed(&actor, &subject).hash(GENESIS);
        e.actor_digest = Some(actor);
        e.subject_digest = Some(subject);
        e.prev_hash = Some(GENESIS.into());
        e.hash = Some(hash);
        e
    }

    #[test]
    fn a_line_carries_what_its_hash_covers_and_recomputes_it() {
        let e = entry();
        let line = ExportLine::of(e.clone()).unwrap();
        assert_eq!(line.sealed().hash(&line.prev_hash), line.hash);
        let mut changed = line.clone();
        changed.detail = Some("line one\nline two!".into());
        assert_ne!(changed.sealed().hash(&changed.prev_hash), line.hash);
        let unsealed = StoredEntry { hash: None, ..e };
        assert_eq!(ExportLine::of(unsealed), None);
    }

    #[test]
    fn csv_quotes_every_text_and_doubles_quotes() {
        let row = ExportLine::of(entry()).unwrap().csv();
        assert!(
            row.starts_with("1,1767225600000,\"owner\",\"user\","),
            "{row}"
        );
        assert!(row.contains(",\"edge \"\"a\"\", b\"\r\n"), "{row}");
        assert!(row.contains("\"line one\nline two \u{2192}\""), "{row}");
        assert_eq!(
            row.matches(',').count() - 1,
            ExportLine::CSV_HEADER.matches(',').count(),
            "the comma inside a quoted text aside, one field per column"
        );
    }
}
