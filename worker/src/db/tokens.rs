//! The `tokens` table: typed rows in and out.

use super::{changes, unique_violation};
use serde::Deserialize;
use shared::TokenId;
use worker::{query, D1Database};

const COLUMNS: &str = "id, name, last4, permissions, source, created_at, expires_at, revoked_at, \
                       last_used_at, last_used_ip, last_used_agent";

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
        "INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        t.id.to_string(),
        t.name,
        t.token_hash,
        t.last4,
        t.permissions,
        t.source,
        t.created_at,
        t.expires_at,
    )
    .map_err(InsertError::Db)?;
    match statement.run().await {
        Ok(_) => Ok(()),
        Err(e) if unique_violation(&e, "tokens.name") => Err(InsertError::NameTaken),
        Err(e) if unique_violation(&e, "tokens.token_hash") => Err(InsertError::ValueTaken),
        Err(e) => Err(InsertError::Db(e)),
    }
}

pub async fn get(db: &D1Database, id: TokenId) -> worker::Result<Option<TokenRow>> {
    query!(db, &format!("SELECT {COLUMNS} FROM tokens WHERE id = ?1"), id.to_string())?
        .first(None)
        .await
}

/// A page of tokens, newest first, starting after the keyset position `after`.
pub async fn list_page(
    db: &D1Database,
    limit: u32,
    after: Option<(i64, &str)>,
) -> worker::Result<Vec<TokenRow>> {
    let statement = match after {
        None => query!(
            db,
            &format!("SELECT {COLUMNS} FROM tokens ORDER BY created_at DESC, id DESC LIMIT ?1"),
            limit
        )?,
        Some((created_at, id)) => query!(
            db,
            &format!(
                "SELECT {COLUMNS} FROM tokens WHERE (created_at, id) < (?1, ?2) \
                 ORDER BY created_at DESC, id DESC LIMIT ?3"
            ),
            created_at,
            id,
            limit
        )?,
    };
    statement.all().await?.results()
}

pub async fn count(db: &D1Database) -> worker::Result<u64> {
    #[derive(Deserialize)]
    struct Count {
        n: u64,
    }
    let row: Option<Count> = query!(db, "SELECT COUNT(*) AS n FROM tokens").first(None).await?;
    Ok(row.map_or(0, |c| c.n))
}

/// Deletes one token; `false` when there was none with that id.
pub async fn delete(db: &D1Database, id: TokenId) -> worker::Result<bool> {
    let result = query!(db, "DELETE FROM tokens WHERE id = ?1", id.to_string())?.run().await?;
    Ok(changes(&result)? > 0)
}
