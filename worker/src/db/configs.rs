//! The `configs` table.

use super::{changes, unique_violation};
use serde::Deserialize;
use shared::config::ConfigName;
use shared::time::Timestamp;
use shared::ConfigId;
use worker::{query, D1Database};

#[derive(Debug, Deserialize)]
pub struct ConfigRow {
    pub id: ConfigId,
    pub name: String,
    pub toml: String,
    pub updated_at: Timestamp,
}

#[derive(Debug)]
pub enum WriteError {
    NameTaken,
    Db(worker::Error),
}

fn classify(e: worker::Error) -> WriteError {
    if unique_violation(&e, "configs.name") {
        WriteError::NameTaken
    } else {
        WriteError::Db(e)
    }
}

pub async fn list(db: &D1Database) -> worker::Result<Vec<ConfigRow>> {
    query!(
        db,
        "SELECT id, name, toml, updated_at FROM configs ORDER BY name"
    )
    .all()
    .await?
    .results()
}

pub async fn get(db: &D1Database, id: &str) -> worker::Result<Option<ConfigRow>> {
    query!(
        db,
        "SELECT id, name, toml, updated_at FROM configs WHERE id = ?1",
        id
    )?
    .first(None)
    .await
}

pub async fn insert(
    db: &D1Database,
    id: &str,
    name: &ConfigName,
    toml: &str,
    now: i64,
) -> Result<(), WriteError> {
    query!(
        db,
        "INSERT INTO configs (id, name, toml, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        id,
        name.as_str(),
        toml,
        now
    )
    .map_err(WriteError::Db)?
    .run()
    .await
    .map(|_| ())
    .map_err(classify)
}

/// `Ok(false)` when there is no such configuration. Every edit moves `updated_at` into a later
/// whole second than the previous one, so `Last-Modified` (which has second precision)
/// changes on every edit, even two in the same second, and a polling agent never misses one.
pub async fn update(
    db: &D1Database,
    id: &str,
    name: &ConfigName,
    toml: &str,
    now: i64,
) -> Result<bool, WriteError> {
    let result = query!(
        db,
        "UPDATE configs SET name = ?2, toml = ?3, updated_at = MAX(?4, (updated_at / 1000) * 1000 + 1000) WHERE id = ?1",
        id,
        name.as_str(),
        toml,
        now
    )
        .map_err(WriteError::Db)?
        .run()
        .await
        .map_err(classify)?;
    Ok(changes(&result).map_err(WriteError::Db)? > 0)
}

pub async fn delete(db: &D1Database, id: &str) -> worker::Result<bool> {
    let result = query!(db, "DELETE FROM configs WHERE id = ?1", id)?
        .run()
        .await?;
    Ok(changes(&result)? > 0)
}
