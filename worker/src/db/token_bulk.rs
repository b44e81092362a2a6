//! Bulk changes to tokens: all of the listed ids or none, through a guard row inside one
//! batch (see migration 0003's `bulk_guard`).

use super::audit::{self, Actor, Entry};
use serde::Deserialize;
use shared::audit::AuditAction;
use shared::token_state::{Rule, Tables};
use shared::TokenId;
use wasm_bindgen::JsValue;
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
    owner: Option<&str>,
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
    owner: Option<&str>,
    now: i64,
    change: BulkChange<'_>,
    actor: &Actor,
) -> worker::Result<bool> {
    let mut params: Vec<JsValue> = vec![
        ids_json.into(),
        owner.map_or(JsValue::NULL, JsValue::from),
        (count as u32).into(),
    ];
    // A revoke applies to tokens it changes something for (`Rule::revocable`), all of them.
    let eligible = match change {
        BulkChange::Revoke => {
            let rule = Rule::revocable(now).sql(&Tables::UNALIASED, &mut |ms| {
                params.push((ms as f64).into());
                format!("?{}", params.len())
            });
            format!("AND {rule}")
        }
        _ => String::new(),
    };
    let guard = db
        .prepare(format!(
            "INSERT INTO bulk_guard (ok) SELECT (SELECT COUNT(*) FROM tokens WHERE id IN (SELECT value FROM json_each(?1)) \
             AND (?2 IS NULL OR owner_id = ?2) {eligible}) = ?3"
        ))
        .bind(&params)?;
    let in_ids = "id IN (SELECT value FROM json_each(?1))";
    // One entry for the whole action, with its count and no token named: a bulk delete
    // leaves no name, hint or id behind, and the batch (guard included) commits it or nothing.
    let (action, detail) = match &change {
        BulkChange::Delete => (AuditAction::TokenDeleted, None),
        BulkChange::Revoke => (AuditAction::TokenRevoked, None),
        BulkChange::Reassign { detail, .. } => (AuditAction::TokenReassigned, Some(*detail)),
    };
    let mut entry = Entry::new(now, actor, action).count(count as i64);
    entry.detail = detail;
    let mut batch = vec![guard, audit::append(db, &entry, "true", &[])?];
    // Who did it, by reference: the same three values after each statement's own.
    let by = actor.columns();
    let with_actor = |sql: &str, first: Vec<JsValue>| {
        let params: Vec<JsValue> = first.into_iter().chain(by.iter().cloned()).collect();
        db.prepare(sql).bind(&params)
    };
    match change {
        BulkChange::Delete => batch.push(query!(
            db,
            &format!("DELETE FROM tokens WHERE {in_ids}"),
            ids_json
        )?),
        BulkChange::Revoke => {
            let at = || vec![ids_json.into(), (now as f64).into()];
            batch.push(with_actor(
                &format!(
                    // The guard has found every one of them revocable, in this transaction.
                    "UPDATE tokens SET revoked_at = ?2, revoked_by_kind = ?3, revoked_by_user = ?4, \
                     revoked_by_token = ?5 WHERE {in_ids} AND revoked_at IS NULL"
                ),
                at(),
            )?);
            batch.push(with_actor(
                "INSERT INTO token_events (token_id, at, kind, actor_kind, actor_user, actor_token) \
                 SELECT value, ?2, 'revoked', ?3, ?4, ?5 FROM json_each(?1)",
                at(),
            )?);
        }
        BulkChange::Reassign { to_user, detail } => {
            batch.push(query!(
                db,
                &format!("UPDATE tokens SET owner_id = ?2 WHERE {in_ids}"),
                ids_json,
                to_user
            )?);
            batch.push(with_actor(
                "INSERT INTO token_events (token_id, at, kind, detail, actor_kind, actor_user, actor_token) \
                 SELECT value, ?2, 'reassigned', ?3, ?4, ?5, ?6 FROM json_each(?1)",
                vec![ids_json.into(), (now as f64).into(), detail.into()],
            )?);
        }
    }
    batch.push(query!(db, "DELETE FROM bulk_guard"));
    match db.batch(batch).await {
        Ok(_) => Ok(true),
        Err(e) if e.to_string().contains("CHECK constraint failed") => Ok(false),
        Err(e) => Err(e),
    }
}
