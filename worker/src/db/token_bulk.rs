//! Bulk changes to tokens: all of the listed ids or none, through a guard row inside one
//! batch (see `bulk_guard` in the schema).

use super::audit::{self, Actor, Entry, When};
use super::statement::Values;
use serde::Deserialize;
use shared::api::EventKind;
use shared::audit::AuditAction;
use shared::token_state::{Rule, Tables};
use shared::TokenId;
use shared::UserId;
use worker::{query, D1Database};

/// The state of requested ids, for explaining why a bulk operation was refused.
#[derive(Debug, Deserialize)]
pub struct BulkRow {
    pub id: TokenId,
    pub name: String,
    pub revoked_at: Option<i64>,
    pub expires_at: Option<i64>,
}

/// Which of `ids` (a JSON array) exist within the scope, in one statement whatever their number.
pub async fn existing(
    db: &D1Database,
    ids_json: &str,
    owner: Option<UserId>,
) -> worker::Result<Vec<BulkRow>> {
    query!(
        db,
        "SELECT id, name, revoked_at, expires_at FROM tokens WHERE id IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR owner_id = ?2)",
        ids_json,
        owner
    )?
    .all()
    .await?
    .results()
}

/// What a bulk operation does to every listed token.
pub enum BulkChange<'a> {
    Delete,
    Revoke,
    Reassign { to_user: &'a str, detail: &'a str },
}

/// Applies the change to all of `ids` or to none: the batch opens with a guard row whose
/// CHECK fails unless every id still matches, and D1 rolls a failing batch back whole.
/// `Ok(false)` means the guard fired (the tokens changed since they were checked).
pub async fn bulk(
    db: &D1Database,
    ids_json: &str,
    count: usize,
    owner: Option<UserId>,
    now: i64,
    change: BulkChange<'_>,
    actor: &Actor,
) -> worker::Result<bool> {
    let mut v = Values::new();
    let (ids, scope, n) = (v.text(Some(ids_json)), v.id(owner), v.number(count as i64));
    // A revoke applies to tokens it changes something for (`Rule::revocable`), all of them.
    let eligible = match change {
        BulkChange::Revoke => format!(
            "AND {}",
            Rule::revocable(now).sql(&Tables::UNALIASED, &mut |x| v.bound(x))
        ),
        _ => String::new(),
    };
    let guard = v.prepare(
        db,
        &format!(
            "INSERT INTO bulk_guard (ok) SELECT (SELECT COUNT(*) FROM tokens \
             WHERE id IN (SELECT value FROM json_each({ids})) \
             AND ({scope} IS NULL OR owner_id = {scope}) {eligible}) = {n}"
        ),
    )?;
    // One entry for the whole action, with its count and no token named: a bulk delete
    // leaves no name, hint or id behind, and the batch (guard included) commits it or nothing.
    let (action, detail) = match &change {
        BulkChange::Delete => (AuditAction::TokenDeleted, None),
        BulkChange::Revoke => (AuditAction::TokenRevoked, None),
        BulkChange::Reassign { detail, .. } => (AuditAction::TokenReassigned, Some(*detail)),
    };
    let mut entry = Entry::new(now, actor, action).count(count as i64);
    entry.detail = detail;
    let mut batch = vec![guard, audit::append(db, &entry, When::Always)?];
    // Each statement binds its own values: the listed ids, and who did it, by reference.
    let statement = |write: &dyn Fn(&mut Values, &str) -> String| {
        let mut v = Values::new();
        let ids = v.text(Some(ids_json));
        let sql = write(&mut v, &ids);
        v.prepare(db, &sql)
    };
    let listed = |ids: &str| format!("id IN (SELECT value FROM json_each({ids}))");
    match change {
        BulkChange::Delete => batch.push(statement(&|_, ids| {
            format!("DELETE FROM tokens WHERE {}", listed(ids))
        })?),
        BulkChange::Revoke => {
            // The guard has found every one of them revocable, in this transaction.
            batch.push(statement(&|v, ids| {
                format!(
                    "UPDATE tokens SET revoked_at = {}, (revoked_by_kind, revoked_by_user, \
                     revoked_by_token) = ({}) WHERE {} AND revoked_at IS NULL",
                    v.number(now),
                    actor.bind(v),
                    listed(ids)
                )
            })?);
            batch.push(statement(&|v, ids| {
                format!(
                    "INSERT INTO token_events (token_id, at, kind, actor_kind, actor_user, actor_token) \
                     SELECT value, {}, {}, {} FROM json_each({ids})",
                    v.number(now),
                    v.text(Some(EventKind::Revoked.as_str())),
                    actor.bind(v)
                )
            })?);
        }
        BulkChange::Reassign { to_user, detail } => {
            batch.push(statement(&|v, ids| {
                format!(
                    "UPDATE tokens SET owner_id = {} WHERE {}",
                    v.text(Some(to_user)),
                    listed(ids)
                )
            })?);
            batch.push(statement(&|v, ids| {
                format!(
                    "INSERT INTO token_events (token_id, at, kind, detail, actor_kind, actor_user, actor_token) \
                     SELECT value, {}, {}, {}, {} FROM json_each({ids})",
                    v.number(now),
                    v.text(Some(EventKind::Reassigned.as_str())),
                    v.text(Some(detail)),
                    actor.bind(v)
                )
            })?);
        }
    }
    batch.push(query!(db, "DELETE FROM bulk_guard"));
    match db.batch(batch).await {
        Ok(_) => Ok(true),
        Err(e) if e.to_string().contains("CHECK constraint failed") => Ok(false),
        Err(e) => Err(e),
    }
}
