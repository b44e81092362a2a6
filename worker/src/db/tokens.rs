//! The `tokens` table: typed rows in and out. Every read that serves a person is scoped by
//! an optional owner, so a Manager's queries can only ever see their own tokens.

use super::{changes, unique_violation};
use serde::Deserialize;
use shared::TokenId;
use worker::{query, D1Database};

/// The token with its owner's display name.
const SELECT: &str = "SELECT t.id AS id, t.name AS name, t.last4 AS last4, t.permissions AS permissions, \
     t.source AS source, t.created_at AS created_at, t.expires_at AS expires_at, t.revoked_at AS revoked_at, \
     t.last_used_at AS last_used_at, t.last_used_ip AS last_used_ip, t.last_used_agent AS last_used_agent, \
     t.owner_id AS owner_id, u.display_name AS owner_name, t.created_by AS created_by, t.revoked_by AS revoked_by \
     FROM tokens t LEFT JOIN users u ON u.id = t.owner_id";

#[derive(Debug, Deserialize)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub last4: String,
    pub permissions: String,
    pub source: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    pub last_used_agent: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub created_by: Option<String>,
    pub revoked_by: Option<String>,
}

pub struct NewToken<'a> {
    pub id: TokenId,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub last4: &'a str,
    pub permissions: &'a str,
    pub source: &'a str,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub owner_id: Option<&'a str>,
    pub created_by: Option<&'a str>,
}

#[derive(Debug)]
pub enum InsertError {
    NameTaken,
    ValueTaken,
    Db(worker::Error),
}

pub async fn insert(db: &D1Database, t: &NewToken<'_>) -> Result<(), InsertError> {
    let statement = query!(
        db,
        "INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, expires_at, \
         owner_id, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        t.id.to_string(),
        t.name,
        t.token_hash,
        t.last4,
        t.permissions,
        t.source,
        t.created_at,
        t.expires_at,
        t.owner_id,
        t.created_by,
    )
    .map_err(InsertError::Db)?;
    match statement.run().await {
        Ok(_) => Ok(()),
        Err(e) if unique_violation(&e, "tokens.name") => Err(InsertError::NameTaken),
        Err(e) if unique_violation(&e, "tokens.token_hash") => Err(InsertError::ValueTaken),
        Err(e) => Err(InsertError::Db(e)),
    }
}

/// One token, if it exists and (with `owner`) belongs to that user.
pub async fn get(db: &D1Database, id: TokenId, owner: Option<&str>) -> worker::Result<Option<TokenRow>> {
    query!(db, &format!("{SELECT} WHERE t.id = ?1 AND (?2 IS NULL OR t.owner_id = ?2)"), id.to_string(), owner)?
        .first(None)
        .await
}

/// A page of tokens, newest first, starting after the keyset position `after`.
pub async fn list_page(
    db: &D1Database,
    owner: Option<&str>,
    limit: u32,
    after: Option<(i64, &str)>,
) -> worker::Result<Vec<TokenRow>> {
    let (after_at, after_id) = after.map_or((None, None), |(at, id)| (Some(at), Some(id)));
    query!(
        db,
        &format!(
            "{SELECT} WHERE (?1 IS NULL OR t.owner_id = ?1) \
             AND (?2 IS NULL OR (t.created_at, t.id) < (?2, ?3)) \
             ORDER BY t.created_at DESC, t.id DESC LIMIT ?4"
        ),
        owner,
        after_at,
        after_id,
        limit
    )?
    .all()
    .await?
    .results()
}

pub async fn count(db: &D1Database, owner: Option<&str>) -> worker::Result<u64> {
    #[derive(Deserialize)]
    struct Count {
        n: u64,
    }
    let row: Option<Count> =
        query!(db, "SELECT COUNT(*) AS n FROM tokens WHERE (?1 IS NULL OR owner_id = ?1)", owner)?.first(None).await?;
    Ok(row.map_or(0, |c| c.n))
}

/// Deletes one token (with `owner`, only that user's); `false` when there was none.
pub async fn delete(db: &D1Database, id: TokenId, owner: Option<&str>) -> worker::Result<bool> {
    let result = query!(
        db,
        "DELETE FROM tokens WHERE id = ?1 AND (?2 IS NULL OR owner_id = ?2)",
        id.to_string(),
        owner
    )?
    .run()
    .await?;
    Ok(changes(&result)? > 0)
}

/// Revokes one active token (with `owner`, only that user's); `false` when nothing changed.
pub async fn revoke(db: &D1Database, id: TokenId, owner: Option<&str>, now: i64, by: &str) -> worker::Result<bool> {
    let result = query!(
        db,
        "UPDATE tokens SET revoked_at = ?3, revoked_by = ?4 \
         WHERE id = ?1 AND (?2 IS NULL OR owner_id = ?2) AND revoked_at IS NULL",
        id.to_string(),
        owner,
        now,
        by
    )?
    .run()
    .await?;
    Ok(changes(&result)? > 0)
}

/// What authenticating a presented token needs, with its owner, in one indexed lookup.
#[derive(Debug, Deserialize)]
pub struct AuthRow {
    pub id: String,
    pub permissions: String,
    pub source: String,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub owner_id: Option<String>,
    pub owner_username: Option<String>,
    pub owner_role: Option<String>,
    pub owner_disabled: Option<i64>,
}

pub async fn find_for_auth(db: &D1Database, token_hash: &str) -> worker::Result<Option<AuthRow>> {
    query!(
        db,
        "SELECT t.id AS id, t.permissions AS permissions, t.source AS source, t.expires_at AS expires_at, \
         t.revoked_at AS revoked_at, t.owner_id AS owner_id, u.username AS owner_username, u.role AS owner_role, \
         u.disabled AS owner_disabled FROM tokens t LEFT JOIN users u ON u.id = t.owner_id \
         WHERE t.token_hash = ?1",
        token_hash
    )?
    .first(None)
    .await
}

/// Inserts the bootstrap token unless a token with that hash already exists.
pub async fn ensure_bootstrap(db: &D1Database, t: &NewToken<'_>) -> worker::Result<()> {
    query!(
        db,
        "INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'bootstrap', ?6) ON CONFLICT DO NOTHING",
        t.id.to_string(),
        t.name,
        t.token_hash,
        t.last4,
        t.permissions,
        t.created_at
    )?
    .run()
    .await?;
    Ok(())
}
