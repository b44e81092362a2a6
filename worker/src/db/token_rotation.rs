//! Replacing a token's secret: one batch that holds only while the token is what the
//! caller's permission was checked against.

use super::audit::{self, Actor, Entry, When};
use super::token_events::{event, Written};
use super::tokens::{TokenRow, SELECT};
use shared::api::EventKind;
use shared::audit::{AuditAction, SubjectType};
use shared::roles::Role;
use wasm_bindgen::JsValue;
use worker::{query, D1Database};

/// A rotation: the new secret's hash and hint, and how long the previous one still works.
pub struct Rotation<'a> {
    /// The ceiling from now on: capped at the role of whoever receives the new secret.
    pub ceiling: Role,
    pub new_hash: &'a str,
    pub new_last4: &'a str,
    pub previous_until: i64,
    pub detail: &'a str,
}

/// Replaces a token's secret, keeping the previous one until `previous_until`, and records it
/// in the history and the audit log: one batch, which also answers the token as it is now. The
/// write holds only while the token is still what the caller's permission was checked against
/// (same secret, owner, owner's role, ceiling, permissions; active), so a concurrent change
/// makes it a no-op (`None`).
pub async fn rotate(
    db: &D1Database,
    seen: &TokenRow,
    now: i64,
    r: &Rotation<'_>,
    actor: &Actor,
) -> worker::Result<Option<TokenRow>> {
    let id = seen.id.to_string();
    let owner = seen.owner_id.map(|o| o.to_string());
    let update = db
        .prepare(
            "UPDATE tokens SET previous_hash = token_hash, previous_until = ?3, \
             previous_last_used_at = last_used_at, token_hash = ?4, last4 = ?5, rotated_at = ?2, \
             ceiling_role = ?12 \
             WHERE id = ?1 AND owner_id IS ?6 AND ceiling_role = ?7 AND permissions = ?8 \
             AND (SELECT role FROM users WHERE id = owner_id) IS ?9 AND last4 = ?10 \
             AND rotated_at IS ?11 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)",
        )
        .bind(&[
            id.as_str().into(),
            (now as f64).into(),
            (r.previous_until as f64).into(),
            r.new_hash.into(),
            r.new_last4.into(),
            owner.as_deref().map_or(JsValue::NULL, JsValue::from),
            seen.ceiling_role.as_str().into(),
            seen.permissions.to_string().into(),
            seen.owner_role.map_or(JsValue::NULL, |role| role.as_str().into()),
            seen.last4.as_str().into(),
            seen.rotated_at.map_or(JsValue::NULL, |t| (t.millis() as f64).into()),
            r.ceiling.as_str().into(),
        ])?;
    let event = event(
        db,
        seen.id,
        now,
        EventKind::Rotated,
        actor,
        Some(r.detail),
        Written::IfChanged,
    )?;
    let entry = Entry::new(now, actor, AuditAction::TokenRotated)
        .on(SubjectType::Token, &id, Some(&seen.name))
        .detail(r.detail);
    let audit = audit::append(
        db,
        &entry,
        When::holds(|v| {
            format!(
                "EXISTS (SELECT 1 FROM tokens WHERE id = {} AND rotated_at = {} AND token_hash = {})",
                v.text(Some(&id)),
                v.number(now),
                v.text(Some(r.new_hash))
            )
        }),
    )?;
    // The token as it is now comes back in the same round trip, read only if it rotated.
    let after = query!(
        db,
        &format!("{SELECT} WHERE t.id = ?1 AND t.rotated_at = ?2 AND t.token_hash = ?3"),
        &id,
        now,
        r.new_hash
    )?;
    let results = db.batch(vec![update, event, audit, after]).await?;
    match results.last() {
        Some(row) => Ok(row.results::<TokenRow>()?.into_iter().next()),
        None => Ok(None),
    }
}
