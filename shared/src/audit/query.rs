//! The filters of `GET /api/audit`, read from its query string.

use super::{AuditAction, Outcome, DEFAULT_PAGE, MAX_PAGE};
use crate::actor::ActorKind;

/// The filters of `GET /api/audit`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    /// Only entries that ended so (entries from before outcomes were recorded are successes).
    pub outcome: Option<Outcome>,
    /// Only entries by this kind of actor.
    pub kind: Option<ActorKind>,
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
                "outcome" if value.is_empty() => q.outcome = None,
                "outcome" => {
                    q.outcome = Some(value.parse().map_err(|_| {
                        "outcome must be success, denied or failure".to_owned()
                    })?)
                }
                "kind" if value.is_empty() => q.kind = None,
                "kind" => {
                    q.kind = Some(value.parse().map_err(|_| {
                        "kind must be user, token, bootstrap_token, secret_scanning or system"
                            .to_owned()
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
                        "unknown query parameter \"{}\"; the audit log accepts actor, action, outcome, kind, cursor and limit",
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
                    "outcome" => q.outcome = one.outcome,
                    "kind" => q.kind = one.kind,
                    _ => {}
                }
            }
        }
        q
    }

    /// The query string [`AuditQuery::parse`] reads back, for a request.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(actor) = &self.actor {
            pairs.push(("actor", actor.clone()));
        }
        if let Some(action) = self.action {
            pairs.push(("action", action.as_str().to_owned()));
        }
        if let Some(outcome) = self.outcome {
            pairs.push(("outcome", outcome.as_str().to_owned()));
        }
        if let Some(kind) = self.kind {
            pairs.push(("kind", kind.as_str().to_owned()));
        }
        if let Some(before) = self.before {
            pairs.push(("cursor", before.to_string()));
        }
        pairs.push(("limit", self.limit.to_string()));
        pairs
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
        if let Some(outcome) = self.outcome {
            pairs.push(format!("outcome={}", outcome.as_str()));
        }
        if let Some(kind) = self.kind {
            pairs.push(format!("kind={}", kind.as_str()));
        }
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }
}
