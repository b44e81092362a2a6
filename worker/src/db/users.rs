//! The `users` table. Changes that must not leave the instance without an enabled Owner are
//! guarded inside the SQL itself, so two concurrent requests cannot both pass the check.

use super::audit::{self, Actor, Entry};
use super::{changes, unique_violation};
use serde::Deserialize;
use shared::audit::{AuditAction, SubjectType};
use shared::roles::Role;
use shared::time::Timestamp;
use shared::token_state::{Rule, Tables};
use shared::UserId;
use wasm_bindgen::JsValue;
use worker::{query, D1Database};

const COLUMNS: &str = "id, username, display_name, role, disabled, created_at";

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
    pub password_hash: &'a str,
    pub password_salt: &'a str,
    pub password_iterations: u32,
    pub created_at: i64,
}

#[derive(Debug)]
pub enum InsertError {
    UsernameTaken,
    Db(worker::Error),
}

/// Another user would no longer leave an enabled Owner behind.
const LEAVES_AN_OWNER: &str = "(role != 'owner' OR disabled = 1 OR \
     (SELECT COUNT(*) FROM users o WHERE o.role = 'owner' AND o.disabled = 0 AND o.id != ?1) > 0)";

/// The target's role is one the caller may act on (parameter `n`, a JSON array of roles),
/// checked at the moment of the write rather than read before it.
fn manageable_condition(n: usize) -> String {
    format!("role IN (SELECT value FROM json_each(?{n}))")
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
    let guard = if only_if_first {
        "WHERE NOT EXISTS (SELECT 1 FROM users)"
    } else {
        "WHERE EXISTS (SELECT 1 FROM users WHERE role = 'owner')"
    };
    let sql = format!(
        "INSERT INTO users (id, username, display_name, role, password_hash, password_salt, \
         password_iterations, created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 {guard}"
    );
    let statement = query!(
        db,
        &sql,
        u.id.to_string(),
        u.username,
        u.display_name,
        u.role.as_str(),
        u.password_hash,
        u.password_salt,
        u.password_iterations,
        u.created_at
    )
    .map_err(InsertError::Db)?;
    let id = u.id.to_string();
    let detail = format!("as {}", u.role.label());
    let entry = Entry::new(u.created_at, actor, AuditAction::UserCreated)
        .on(SubjectType::User, &id, Some(u.username))
        .detail(&detail);
    let audit = audit::append(db, &entry, "changes() > 0", &[]).map_err(InsertError::Db)?;
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
    let guard = if demotes_owner { LEAVES_AN_OWNER } else { "1" };
    let update = query!(
        db,
        &format!(
            "UPDATE users SET role = COALESCE(?2, role), disabled = COALESCE(?3, disabled) \
             WHERE id = ?1 AND {guard} AND {}",
            manageable_condition(4)
        ),
        &user_id,
        role.map(Role::as_str),
        disabled.map(i64::from),
        roles_json(manageable)
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
        batch.push(audit::append(db, entry, "changes() > 0", &[])?);
    }
    if role == Some(Role::Viewer) {
        // Who demoted them revoked their tokens, by reference; the event goes to exactly the
        // tokens this statement revoked (same instant, same actor).
        let mut params: Vec<JsValue> = [user_id.as_str().into(), (now as f64).into()]
            .into_iter()
            .chain(audit_actor.columns())
            .collect();
        // Those revoking changes something for (`Rule::revocable`): not the expired ones.
        let revocable = Rule::revocable(now).sql(&Tables::UNALIASED, &mut |ms| {
            params.push((ms as f64).into());
            format!("?{}", params.len())
        });
        batch.push(
            db.prepare(format!(
                "UPDATE tokens SET revoked_at = ?2, revoked_by_kind = ?3, revoked_by_user = ?4, \
                 revoked_by_token = ?5 WHERE owner_id = ?1 AND {revocable} \
                 AND EXISTS (SELECT 1 FROM users WHERE id = ?1 AND role = 'viewer')"
            ))
            .bind(&params)?,
        );
        batch.push(
            db.prepare(
                "INSERT INTO token_events (token_id, at, kind, actor_kind, actor_user, actor_token, detail) \
                 SELECT id, ?2, 'revoked', ?3, ?4, ?5, 'owner demoted to Viewer' FROM tokens \
                 WHERE owner_id = ?1 AND revoked_at = ?2 AND revoked_by_kind IS ?3 \
                 AND revoked_by_user IS ?4 AND revoked_by_token IS ?5",
            )
            .bind(&params[..5])?,
        );
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
    let roles = roles_json(manageable);
    let target = format!(
        "id = ?1 AND {LEAVES_AN_OWNER} AND {}",
        manageable_condition(2)
    );
    // The entry is written first, while the username can still be read, under the delete's
    // own conditions (the user's id as `?1` and the roles as `?2` of a nested statement).
    let when = format!(
        "EXISTS (SELECT 1 FROM users WHERE {})",
        target.replace("?1", "?11").replace("?2", "?12")
    );
    let entry =
        Entry::new(now, actor, AuditAction::UserDeleted).on(SubjectType::User, &user_id, None);
    let audit = audit::append(
        db,
        &entry,
        &when,
        &[user_id.as_str().into(), roles.as_str().into()],
    )?;
    let delete = query!(
        db,
        &format!("DELETE FROM users WHERE {target}"),
        &user_id,
        &roles
    )?;
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

/// Why ownership did not move.
#[derive(Debug, PartialEq, Eq)]
pub enum TransferRefusal {
    /// The caller is not (or no longer) the enabled Owner.
    NotOwner,
    NotFound,
    /// The new Owner is disabled.
    Disabled,
}

/// Makes `to` the Owner and the Owner `from` an Administrator, in one transaction: a guard row
/// (see `bulk_guard`) fails the whole batch unless `from` is the enabled Owner and `to` an
/// enabled other user at that moment, and the one-Owner index holds at every step.
pub async fn transfer_ownership(
    db: &D1Database,
    from: &str,
    to: UserId,
    now: i64,
    actor: &Actor,
) -> worker::Result<Result<(), TransferRefusal>> {
    let to_id = to.to_string();
    let entry = Entry::new(now, actor, AuditAction::OwnershipTransferred)
        .on(SubjectType::User, &to_id, None)
        .detail("the previous Owner is now an Administrator");
    let batch = vec![
        audit::append(db, &entry, "true", &[])?,
        query!(
            db,
            "INSERT INTO bulk_guard (ok) SELECT \
             EXISTS (SELECT 1 FROM users WHERE id = ?1 AND role = 'owner' AND disabled = 0) \
             AND EXISTS (SELECT 1 FROM users WHERE id = ?2 AND id != ?1 AND disabled = 0)",
            from,
            &to_id
        )?,
        query!(
            db,
            "UPDATE users SET role = ?2 WHERE id = ?1",
            from,
            Role::Administrator.as_str()
        )?,
        query!(
            db,
            "UPDATE users SET role = ?2 WHERE id = ?1",
            &to_id,
            Role::Owner.as_str()
        )?,
        query!(db, "DELETE FROM bulk_guard"),
    ];
    match db.batch(batch).await {
        Ok(_) => Ok(Ok(())),
        Err(e) if e.to_string().contains("CHECK constraint failed") => {
            let caller = query!(
                db,
                &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
                from
            )?
            .first::<UserRow>(None)
            .await?;
            if caller.is_none_or(|c| c.role != Role::Owner || c.disabled) {
                return Ok(Err(TransferRefusal::NotOwner));
            }
            Ok(Err(match by_id(db, to).await? {
                None => TransferRefusal::NotFound,
                Some(_) => TransferRefusal::Disabled,
            }))
        }
        Err(e) => Err(e),
    }
}

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
    let roles = manageable.map(roles_json);
    let target = format!("id = ?1 AND (?2 IS NULL OR {})", manageable_condition(2));
    let update = query!(
        db,
        &format!(
            "UPDATE users SET password_hash = ?3, password_salt = ?4, password_iterations = ?5 \
             WHERE {target}"
        ),
        &user_id,
        roles.as_deref(),
        &hashed.hash,
        &hashed.salt,
        hashed.iterations
    )?;
    let sessions = query!(
        db,
        &format!(
            "DELETE FROM sessions WHERE user_id = ?1 AND (?3 IS NULL OR id_hash != ?3) \
             AND EXISTS (SELECT 1 FROM users WHERE {target} AND password_hash = ?4)"
        ),
        &user_id,
        roles.as_deref(),
        keep,
        &hashed.hash
    )?;
    let action = if keep.is_some() {
        AuditAction::PasswordChanged
    } else {
        AuditAction::PasswordReset
    };
    let entry = Entry::new(now, actor, action).on(SubjectType::User, &user_id, None);
    let audit = audit::append(db, &entry, "changes() > 0", &[])?;
    let results = db
        .batch([update, audit, sessions].into_iter().chain(along).collect())
        .await?;
    match results.first() {
        Some(first) => Ok(changes(first)? > 0),
        None => Ok(false),
    }
}
