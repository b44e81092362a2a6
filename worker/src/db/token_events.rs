//! The `token_events` table: each token's history, written in the batch of the change it
//! records and read newest first.

use super::audit::Actor;
use super::statement::Values;
use serde::Deserialize;
use shared::actor::{describe, ActorKind};
use shared::api::EventKind;
use shared::time::Timestamp;
use shared::TokenId;
use shared::UserId;
use worker::{query, D1Database, D1PreparedStatement};

/// When a history event is written: always, or only when the statement before it in the
/// batch changed a row (`changes()`), so the event exists exactly when its change does.
#[derive(Clone, Copy)]
pub(super) enum Written {
    Always,
    IfChanged,
}

/// A history event insert by `actor`, for batching with the change it records.
pub(super) fn event(
    db: &D1Database,
    token_id: TokenId,
    at: i64,
    kind: EventKind,
    actor: &Actor,
    detail: Option<&str>,
    written: Written,
) -> worker::Result<D1PreparedStatement> {
    let when = match written {
        Written::Always => "1",
        Written::IfChanged => "changes() > 0",
    };
    let mut v = Values::new();
    let columns = [
        v.id(Some(token_id)),
        v.number(at),
        v.text(Some(kind.as_str())),
        actor.bind(&mut v),
        v.text(detail),
    ]
    .join(", ");
    v.prepare(
        db,
        &format!(
            "INSERT INTO token_events (token_id, at, kind, actor_kind, actor_user, actor_token, detail) \
             SELECT {columns} WHERE {when}"
        ),
    )
}

#[derive(Debug, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub at: Timestamp,
    pub kind: EventKind,
    /// For an agent's first use, usage or refusal: the address it came from.
    pub address: Option<String>,
    /// Everyone else, by reference, with the names the references have now.
    pub actor_kind: Option<ActorKind>,
    pub actor_user_name: Option<String>,
    pub actor_token_name: Option<String>,
    pub detail: Option<String>,
}

impl EventRow {
    /// Who did it, as an answer names them: the actor now, or the agent's address.
    pub fn actor(&self) -> Option<String> {
        match self.actor_kind {
            Some(kind) => Some(describe(
                kind,
                self.actor_user_name.as_deref(),
                self.actor_token_name.as_deref(),
            )),
            None => self.address.clone(),
        }
    }
}

/// A token's history, newest first, when the caller may see the token (`None` otherwise):
/// the check and the read in one `batch()`.
pub async fn events(
    db: &D1Database,
    id: TokenId,
    owner: Option<UserId>,
) -> worker::Result<Option<Vec<EventRow>>> {
    #[derive(Deserialize)]
    struct Visible {}
    let visible = query!(
        db,
        "SELECT 1 AS n FROM tokens WHERE id = ?1 AND (?2 IS NULL OR owner_id = ?2)",
        id.to_string(),
        owner
    )?;
    let events = query!(
        db,
        "SELECT e.id AS id, e.at AS at, e.kind AS kind, e.address AS address, e.actor_kind AS actor_kind, \
         (SELECT u.username FROM users u WHERE u.id = e.actor_user) AS actor_user_name, \
         (SELECT t.name FROM tokens t WHERE t.id = e.actor_token) AS actor_token_name, e.detail AS detail \
         FROM token_events e WHERE e.token_id = ?1 ORDER BY e.at DESC, e.id DESC LIMIT 500",
        id.to_string()
    )?;
    let mut answers = db.batch(vec![visible, events]).await?.into_iter();
    let seen = match answers.next() {
        Some(found) => !found.results::<Visible>()?.is_empty(),
        None => false,
    };
    match (seen, answers.next()) {
        (true, Some(events)) => Ok(Some(events.results()?)),
        _ => Ok(None),
    }
}
