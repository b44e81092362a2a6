//! A user's new password, and the sessions it ends, in one transaction.

use super::audit::{self, Actor, Entry, When};
use super::changes;
use super::statement::Values;
use super::users::manageable_condition;
use shared::audit::{AuditAction, SubjectType};
use shared::roles::Role;
use shared::UserId;
use worker::D1Database;

/// Stores a new password for the user and ends their sessions, in one transaction with
/// `along` (what else the change settles): all of them, or all but `keep` (the session that
/// changed its own password). With `manageable`, only a target whose role is in it changes
/// (checked at the moment of the write); `false` when nothing changed.
pub async fn set_password(
    db: &D1Database,
    id: UserId,
    hashed: &crate::password::PasswordHash,
    manageable: Option<&[Role]>,
    keep: Option<&str>,
    along: Option<worker::D1PreparedStatement>,
    now: i64,
    actor: &Actor,
) -> worker::Result<bool> {
    let user_id = id.to_string();
    // The user whose password changes: theirs, within `manageable` when given.
    let target = |v: &mut Values| {
        let id = v.text(Some(&user_id));
        match manageable {
            Some(roles) => format!("id = {id} AND {}", manageable_condition(v, roles)),
            None => format!("id = {id}"),
        }
    };
    let mut v = Values::new();
    let (hash, salt) = (v.text(Some(&hashed.hash)), v.text(Some(&hashed.salt)));
    let iterations = v.number(i64::from(hashed.iterations));
    let sql = format!(
        "UPDATE users SET password_hash = {hash}, password_salt = {salt}, \
         password_iterations = {iterations} WHERE {}",
        target(&mut v)
    );
    let update = v.prepare(db, &sql)?;
    let mut v = Values::new();
    let (user, kept, hash) = (
        v.text(Some(&user_id)),
        v.text(keep),
        v.text(Some(&hashed.hash)),
    );
    let sql = format!(
        "DELETE FROM sessions WHERE user_id = {user} AND ({kept} IS NULL OR id_hash != {kept}) \
         AND EXISTS (SELECT 1 FROM users WHERE {} AND password_hash = {hash})",
        target(&mut v)
    );
    let sessions = v.prepare(db, &sql)?;
    let action = if keep.is_some() {
        AuditAction::PasswordChanged
    } else {
        AuditAction::PasswordReset
    };
    let entry = Entry::new(now, actor, action).on(SubjectType::User, &user_id, None);
    let audit = audit::append(db, &entry, When::Changed)?;
    let results = db
        .batch([update, audit, sessions].into_iter().chain(along).collect())
        .await?;
    match results.first() {
        Some(first) => Ok(changes(first)? > 0),
        None => Ok(false),
    }
}
