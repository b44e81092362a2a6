//! The `sessions` table: browser sign-ins, stored only as the SHA-256 of the cookie value.

use super::users::UserRow;
use serde::Deserialize;
use shared::time::Timestamp;
use shared::UserId;
use worker::{query, D1Database, D1PreparedStatement};

#[derive(Debug, Deserialize)]
pub struct SessionRow {
    pub session_created_at: Timestamp,
    pub session_expires_at: Timestamp,
    #[serde(flatten)]
    pub user: UserRow,
}

/// Stores a session, in one batch with `along` (what the sign-in settles besides).
pub async fn insert(
    db: &D1Database,
    id_hash: &str,
    user_id: UserId,
    now: i64,
    expires_at: i64,
    along: Vec<D1PreparedStatement>,
) -> worker::Result<()> {
    // Sign-in is a good moment to forget this user's ended sessions.
    let purge = query!(
        db,
        "DELETE FROM sessions WHERE user_id = ?1 AND expires_at <= ?2",
        user_id,
        now
    )?;
    let insert = query!(
        db,
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        id_hash,
        user_id,
        now,
        expires_at
    )?;
    db.batch([purge, insert].into_iter().chain(along).collect())
        .await?;
    Ok(())
}

/// The live session and its user, in one indexed lookup.
pub async fn find(db: &D1Database, id_hash: &str, now: i64) -> worker::Result<Option<SessionRow>> {
    query!(
        db,
        "SELECT s.created_at AS session_created_at, s.expires_at AS session_expires_at, u.id AS id, \
         u.username AS username, u.display_name AS display_name, u.role AS role, u.disabled AS disabled, \
         u.created_at AS created_at \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?1 AND s.expires_at > ?2",
        id_hash,
        now
    )?
    .first(None)
    .await
}

pub async fn extend(db: &D1Database, id_hash: &str, expires_at: i64) -> worker::Result<()> {
    query!(
        db,
        "UPDATE sessions SET expires_at = ?2 WHERE id_hash = ?1",
        id_hash,
        expires_at
    )?
    .run()
    .await?;
    Ok(())
}

pub async fn delete(db: &D1Database, id_hash: &str) -> worker::Result<()> {
    query!(db, "DELETE FROM sessions WHERE id_hash = ?1", id_hash)?
        .run()
        .await?;
    Ok(())
}
