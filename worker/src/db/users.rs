//! The `users` table. Changes that must not leave the instance without an enabled Owner are
//! guarded inside the SQL itself, so two concurrent requests cannot both pass the check.

use super::{changes, unique_violation};
use serde::Deserialize;
use shared::UserId;
use worker::{query, D1Database};

const COLUMNS: &str = "id, username, display_name, role, disabled, created_at";

#[derive(Debug, Clone, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub disabled: i64,
    pub created_at: i64,
}

/// A user with what verifying a password needs. (Spelled out rather than flattening
/// `UserRow`: serde's flatten reads D1's numbers as floats.)
#[derive(Debug, Deserialize)]
pub struct CredentialRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub disabled: i64,
    pub created_at: i64,
    pub password_hash: String,
    pub password_salt: String,
    pub password_iterations: u32,
}

impl CredentialRow {
    pub fn user(&self) -> UserRow {
        UserRow {
            id: self.id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role.clone(),
            disabled: self.disabled,
            created_at: self.created_at,
        }
    }
}

pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
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
/// answering `Ok(false)` when someone else got there first.
pub async fn insert(
    db: &D1Database,
    u: &NewUser<'_>,
    only_if_first: bool,
) -> Result<bool, InsertError> {
    let guard = if only_if_first {
        "WHERE NOT EXISTS (SELECT 1 FROM users)"
    } else {
        ""
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
        u.role,
        u.password_hash,
        u.password_salt,
        u.password_iterations,
        u.created_at
    )
    .map_err(InsertError::Db)?;
    match statement.run().await {
        Ok(result) => Ok(changes(&result).map_err(InsertError::Db)? > 0),
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

pub async fn credentials(db: &D1Database, username: &str) -> worker::Result<Option<CredentialRow>> {
    query!(
        db,
        &format!("SELECT {COLUMNS}, password_hash, password_salt, password_iterations FROM users WHERE username = ?1"),
        username
    )?
    .first(None)
    .await
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

/// Changes role and/or the disabled flag in one transaction, with what follows from them:
/// demotion to Viewer revokes the user's active tokens (SPEC 4), disabling ends their sessions.
/// `Ok(false)` means the change would leave no enabled Owner, or the user does not exist.
pub async fn update(
    db: &D1Database,
    id: UserId,
    role: Option<&str>,
    disabled: Option<bool>,
    now: i64,
    actor: &str,
) -> worker::Result<bool> {
    let id = id.to_string();
    let demotes_owner = role.is_some_and(|r| r != "owner") || disabled == Some(true);
    let guard = if demotes_owner { LEAVES_AN_OWNER } else { "1" };
    let update = query!(
        db,
        &format!(
            "UPDATE users SET role = COALESCE(?2, role), disabled = COALESCE(?3, disabled) \
             WHERE id = ?1 AND {guard}"
        ),
        &id,
        role,
        disabled.map(i64::from)
    )?;
    let mut batch = vec![update];
    if role == Some("viewer") {
        batch.push(query!(
            db,
            "UPDATE tokens SET revoked_at = ?2, revoked_by = ?3 \
             WHERE owner_id = ?1 AND revoked_at IS NULL \
             AND EXISTS (SELECT 1 FROM users WHERE id = ?1 AND role = 'viewer')",
            &id,
            now,
            actor
        )?);
        batch.push(query!(
            db,
            "INSERT INTO token_events (token_id, at, kind, actor, detail) \
             SELECT id, ?2, 'revoked', ?3, 'owner demoted to Viewer' FROM tokens \
             WHERE owner_id = ?1 AND revoked_at = ?2 AND revoked_by = ?3",
            &id,
            now,
            actor
        )?);
    }
    if disabled == Some(true) {
        batch.push(query!(
            db,
            "DELETE FROM sessions WHERE user_id = ?1 AND EXISTS (SELECT 1 FROM users WHERE id = ?1 AND disabled = 1)",
            &id
        )?);
    }
    let results = db.batch(batch).await?;
    match results.first() {
        Some(first) => Ok(changes(first)? > 0),
        None => Ok(false),
    }
}

/// Deletes the user; their tokens and sessions go with them (foreign keys cascade).
/// `Ok(false)` means no such user, or it is the last enabled Owner.
pub async fn delete(db: &D1Database, id: UserId) -> worker::Result<bool> {
    let result = query!(
        db,
        &format!("DELETE FROM users WHERE id = ?1 AND {LEAVES_AN_OWNER}"),
        id.to_string()
    )?
    .run()
    .await?;
    Ok(changes(&result)? > 0)
}
