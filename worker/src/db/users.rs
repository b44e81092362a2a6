//! The `users` table. Changes that must not leave the instance without an enabled Owner are
//! guarded inside the SQL itself, so two concurrent requests cannot both pass the check.

use super::audit::{self, Actor, Entry, When};
use super::statement::Values;
use super::{changes, unique_violation};
use serde::Deserialize;
use shared::api::EventKind;
use shared::audit::{AuditAction, SubjectType};
use shared::roles::Role;
use shared::time::Timestamp;
use shared::token_state::{Rule, Tables};
use shared::UserId;
use worker::{query, D1Database};

pub(super) const COLUMNS: &str = "id, username, display_name, role, disabled, created_at";

#[derive(Debug, Clone, Deserialize)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(deserialize_with = "super::flag")]
    pub disabled: bool,
    pub created_at: Timestamp,
}

/// A user with what verifying a password needs.
#[derive(Debug, Deserialize)]
pub struct CredentialRow {
    #[serde(flatten)]
    pub user: UserRow,
    pub password_hash: String,
    pub password_salt: String,
    pub password_iterations: u32,
}

pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password: &'a crate::password::PasswordHash,
    pub created_at: i64,
}

#[derive(Debug)]
pub enum InsertError {
    UsernameTaken,
    Db(worker::Error),
}

/// Changing or removing the user `id` (the row the condition is on) would still leave an
/// enabled Owner behind.
fn leaves_an_owner(v: &mut Values, id: &str) -> String {
    let (owner, id) = (v.text(Some(Role::Owner.as_str())), v.text(Some(id)));
    format!(
        "(role != {owner} OR disabled = 1 OR (SELECT COUNT(*) FROM users o \
         WHERE o.role = {owner} AND o.disabled = 0 AND o.id != {id}) > 0)"
    )
}

/// The row's role is one the caller may act on, checked at the moment of the write rather
/// than read before it.
pub(super) fn manageable_condition(v: &mut Values, manageable: &[Role]) -> String {
    format!(
        "role IN (SELECT value FROM json_each({}))",
        v.text(Some(&roles_json(manageable)))
    )
}

/// The roles a caller may act on, as the JSON array [`manageable_condition`] binds.
fn roles_json(roles: &[Role]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned())
}

pub async fn exists_any(db: &D1Database) -> worker::Result<bool> {
    #[derive(Deserialize)]
    struct Row {
        n: i64,
    }
    let row: Option<Row> = query!(db, "SELECT EXISTS (SELECT 1 FROM users) AS n")
        .first(None)
        .await?;
    Ok(row.is_some_and(|r| r.n == 1))
}

/// Inserts the user; with `only_if_first`, only while the table is empty (first-run setup),
/// otherwise only once the instance has its Owner (so nobody can fill an instance before its
/// setup and lock the Owner out). `Ok(false)` means the guard refused.
pub async fn insert(
    db: &D1Database,
    u: &NewUser<'_>,
    only_if_first: bool,
    actor: &Actor,
) -> Result<bool, InsertError> {
    let mut v = Values::new();
    let columns = [
        v.text(Some(&u.id.to_string())),
        v.text(Some(u.username)),
        v.text(Some(u.display_name)),
        v.text(Some(u.role.as_str())),
        v.text(Some(&u.password.hash)),
        v.text(Some(&u.password.salt)),
        v.number(i64::from(u.password.iterations)),
        v.number(u.created_at),
    ]
    .join(", ");
    let guard = if only_if_first {
        "NOT EXISTS (SELECT 1 FROM users)".to_owned()
    } else {
        // Not the instance's first account: its Owner is there.
        let owner = v.text(Some(Role::Owner.as_str()));
        format!("EXISTS (SELECT 1 FROM users WHERE role = {owner})")
    };
    let statement = v
        .prepare(
            db,
            &format!(
                "INSERT INTO users (id, username, display_name, role, password_hash, password_salt, \
                 password_iterations, created_at) SELECT {columns} WHERE {guard}"
            ),
        )
        .map_err(InsertError::Db)?;
    let id = u.id.to_string();
    let detail = format!("as {}", u.role.label());
    let entry = Entry::new(u.created_at, actor, AuditAction::UserCreated)
        .on(SubjectType::User, &id, Some(u.username))
        .detail(&detail);
    let audit = audit::append(db, &entry, When::Changed).map_err(InsertError::Db)?;
    match db.batch(vec![statement, audit]).await {
        Ok(results) => Ok(match results.first() {
            Some(first) => changes(first).map_err(InsertError::Db)? > 0,
            None => false,
        }),
        Err(e) if unique_violation(&e, "users.username") => Err(InsertError::UsernameTaken),
        Err(e) => Err(InsertError::Db(e)),
    }
}

pub async fn by_id(db: &D1Database, id: UserId) -> worker::Result<Option<UserRow>> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
        id.to_string()
    )?
    .first(None)
    .await
}

/// Reads a user with their password hash, for batching with the attempt it serves.
pub fn credentials_statement(
    db: &D1Database,
    username: &str,
) -> worker::Result<worker::D1PreparedStatement> {
    query!(
        db,
        &format!("SELECT {COLUMNS}, password_hash, password_salt, password_iterations FROM users WHERE username = ?1"),
        username
    )
}

pub async fn list(db: &D1Database) -> worker::Result<Vec<UserRow>> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM users ORDER BY username")
    )
    .all()
    .await?
    .results()
}

/// The instance's Owner, if it has one yet.
pub async fn owner(db: &D1Database) -> worker::Result<Option<UserRow>> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM users WHERE role = ?1"),
        Role::Owner.as_str()
    )?
    .first(None)
    .await
}

/// Why a change to a user did not happen.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    /// The target's role is not one the caller may act on (as it stood at the write).
    Outranks,
    /// It would leave no enabled Owner.
    LastOwner,
}

/// Explains a write that changed nothing: the target as it is now decides which guard fired.
async fn refusal(db: &D1Database, id: UserId, manageable: &[Role]) -> worker::Result<Refusal> {
    Ok(match by_id(db, id).await? {
        None => Refusal::NotFound,
        Some(user) if !manageable.contains(&user.role) => Refusal::Outranks,
        Some(_) => Refusal::LastOwner,
    })
}

/// Changes role and/or the disabled flag in one transaction, with what follows from them:
/// demotion to Viewer revokes the user's active tokens (SPEC 4), disabling ends their sessions.
/// Only a target whose role is in `manageable` changes, and never the last enabled Owner.
pub async fn update(
    db: &D1Database,
    id: UserId,
    role: Option<Role>,
    disabled: Option<bool>,
    manageable: &[Role],
    now: i64,
    audit_actor: &Actor,
) -> worker::Result<Result<(), Refusal>> {
    let user_id = id.to_string();
    let demotes_owner = role.is_some_and(|r| r != Role::Owner) || disabled == Some(true);
    let mut v = Values::new();
    let (id_at, new_role) = (v.text(Some(&user_id)), v.text(role.map(Role::as_str)));
    let new_disabled = match disabled {
        Some(d) => v.number(i64::from(d)),
        None => v.text(None),
    };
    let guard = if demotes_owner {
        leaves_an_owner(&mut v, &user_id)
    } else {
        "1".to_owned()
    };
    let manageable_now = manageable_condition(&mut v, manageable);
    let update = v.prepare(
        db,
        &format!(
            "UPDATE users SET role = COALESCE({new_role}, role), \
             disabled = COALESCE({new_disabled}, disabled) \
             WHERE id = {id_at} AND {guard} AND {manageable_now}"
        ),
    )?;
    let mut batch = vec![update];
    // Each entry holds only if the update changed the row (`changes()` of the statement just
    // before: the update, or the entry before this one, which exists exactly when it did).
    let role_detail = role.map(|r| format!("to {}", r.label()));
    let mut entries = Vec::new();
    if let Some(detail) = &role_detail {
        entries.push(
            Entry::new(now, audit_actor, AuditAction::RoleChanged)
                .on(SubjectType::User, &user_id, None)
                .detail(detail),
        );
    }
    match disabled {
        Some(true) => entries.push(Entry::new(now, audit_actor, AuditAction::UserDisabled).on(
            SubjectType::User,
            &user_id,
            None,
        )),
        Some(false) => entries.push(Entry::new(now, audit_actor, AuditAction::UserEnabled).on(
            SubjectType::User,
            &user_id,
            None,
        )),
        None => {}
    }
    for entry in &entries {
        batch.push(audit::append(db, entry, When::Changed)?);
    }
    if role == Some(Role::Viewer) {
        // Who demoted them revoked their tokens, by reference; the event goes to exactly the
        // tokens this statement revoked (same instant, same actor).
        // Those revoking changes something for (`Rule::revocable`): not the expired ones.
        let mut v = Values::new();
        let (owner, at, by) = (
            v.text(Some(&user_id)),
            v.number(now),
            audit_actor.bind(&mut v),
        );
        let revocable = Rule::revocable(now).sql(&Tables::UNALIASED, &mut |x| v.bound(x));
        let viewer = v.text(Some(Role::Viewer.as_str()));
        batch.push(v.prepare(
            db,
            &format!(
                "UPDATE tokens SET revoked_at = {at}, (revoked_by_kind, revoked_by_user, \
                 revoked_by_token) = ({by}) WHERE owner_id = {owner} AND {revocable} \
                 AND EXISTS (SELECT 1 FROM users WHERE id = {owner} AND role = {viewer})"
            ),
        )?);
        let mut v = Values::new();
        let (owner, at) = (v.text(Some(&user_id)), v.number(now));
        let [kind, user, token] = [
            v.text(Some(audit_actor.by.kind.as_str())),
            v.text(audit_actor.by.user_text().as_deref()),
            v.text(audit_actor.by.token_text().as_deref()),
        ];
        let revoked = v.text(Some(EventKind::Revoked.as_str()));
        batch.push(v.prepare(
            db,
            &format!(
                "INSERT INTO token_events (token_id, at, kind, actor_kind, actor_user, actor_token, detail) \
                 SELECT id, {at}, {revoked}, {kind}, {user}, {token}, 'owner demoted to Viewer' FROM tokens \
                 WHERE owner_id = {owner} AND revoked_at = {at} AND revoked_by_kind IS {kind} \
                 AND revoked_by_user IS {user} AND revoked_by_token IS {token}"
            ),
        )?);
    }
    if disabled == Some(true) {
        batch.push(query!(
            db,
            "DELETE FROM sessions WHERE user_id = ?1 AND EXISTS (SELECT 1 FROM users WHERE id = ?1 AND disabled = 1)",
            &user_id
        )?);
    }
    let results = db.batch(batch).await?;
    let changed = match results.first() {
        Some(first) => changes(first)? > 0,
        None => false,
    };
    if changed {
        Ok(Ok(()))
    } else {
        Ok(Err(refusal(db, id, manageable).await?))
    }
}

/// Deletes the user; their tokens and sessions go with them (foreign keys cascade). Only a
/// target whose role is in `manageable`, and never the last enabled Owner.
pub async fn delete(
    db: &D1Database,
    id: UserId,
    manageable: &[Role],
    now: i64,
    actor: &Actor,
) -> worker::Result<Result<(), Refusal>> {
    let user_id = id.to_string();
    // The user the delete may remove: the same condition, written into both statements.
    let target = |v: &mut Values| {
        format!(
            "id = {} AND {} AND {}",
            v.text(Some(&user_id)),
            leaves_an_owner(v, &user_id),
            manageable_condition(v, manageable)
        )
    };
    // The entry is written first, while the username can still be read, under the delete's
    // own condition.
    let entry =
        Entry::new(now, actor, AuditAction::UserDeleted).on(SubjectType::User, &user_id, None);
    let audit = audit::append(
        db,
        &entry,
        When::holds(|v| format!("EXISTS (SELECT 1 FROM users WHERE {})", target(v))),
    )?;
    let mut v = Values::new();
    let sql = format!("DELETE FROM users WHERE {}", target(&mut v));
    let delete = v.prepare(db, &sql)?;
    let results = db.batch(vec![audit, delete]).await?;
    let deleted = match results.get(1) {
        Some(r) => changes(r)?,
        None => 0,
    };
    if deleted > 0 {
        Ok(Ok(()))
    } else {
        Ok(Err(refusal(db, id, manageable).await?))
    }
}
