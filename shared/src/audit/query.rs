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
            q.set(key, value).map_err(|()| refusal(key))?;
        }
        Ok(q)
    }

    /// Sets the parameter `key` from `value`, or leaves the query as it was when either is not
    /// one it takes. [`AuditQuery::parse`] says why with [`refusal`]; the app's addresses need
    /// no words, so the app carries none of them.
    fn set(&mut self, key: &str, value: &str) -> Result<(), ()> {
        match key {
            "actor" => {
                let actor = value.trim();
                if actor.chars().count() > 255 {
                    return Err(());
                }
                self.actor = (!actor.is_empty()).then(|| actor.to_owned());
            }
            "action" if value.is_empty() => self.action = None,
            "action" => self.action = Some(AuditAction::parse(value).ok_or(())?),
            "outcome" if value.is_empty() => self.outcome = None,
            "outcome" => self.outcome = Some(value.parse().map_err(|_| ())?),
            "kind" if value.is_empty() => self.kind = None,
            "kind" => self.kind = Some(value.parse().map_err(|_| ())?),
            "cursor" => self.before = Some(value.parse::<i64>().ok().filter(|n| *n > 0).ok_or(())?),
            "limit" => {
                self.limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE).contains(n))
                    .ok_or(())?;
            }
            _ => return Err(()),
        }
        Ok(())
    }

    /// The filters a page address asks for; a bad value is no filter (an address is never
    /// an error).
    pub fn from_address(search: &str) -> Self {
        let mut q = AuditQuery {
            limit: DEFAULT_PAGE,
            ..Default::default()
        };
        for (key, value) in crate::address::pairs(search) {
            if matches!(key.as_str(), "actor" | "action" | "outcome" | "kind") {
                let _ = q.set(&key, &value);
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

/// Why [`AuditQuery::parse`] refuses the parameter `key`'s value (or `key` itself).
fn refusal(key: &str) -> String {
    match key {
        "actor" => "actor is at most 255 characters".into(),
        "action" => format!(
            "action must be one of {}",
            AuditAction::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
        ),
        "outcome" => "outcome must be success, denied or failure".into(),
        "kind" => "kind must be user, token, bootstrap_token, secret_scanning or system".into(),
        "cursor" => "cursor must be the nextCursor of the previous page".into(),
        "limit" => format!("limit must be a whole number from 1 to {MAX_PAGE}"),
        other => format!(
            "unknown query parameter \"{}\"; the audit log accepts actor, action, outcome, kind, cursor and limit",
            other.chars().take(50).collect::<String>()
        ),
    }
}
