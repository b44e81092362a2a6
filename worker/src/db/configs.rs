//! The `configs` table.

use super::audit::{self, Actor, Entry, When};
use super::{changes, unique_violation};
use shared::api::Config;
use shared::audit::{AuditAction, SubjectType};
use shared::config::ConfigName;
use shared::token_scope::ConfigScope;
use shared::ConfigId;
use worker::{query, D1Database, D1PreparedStatement};

/// The columns as the API names them: a row decodes straight into [`Config`].
const COLUMNS: &str = "id, name, toml, updated_at AS updatedAt";

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

/// The list's columns: each configuration with how many unrevoked tokens are scoped to it (a
/// probe of the scope's index by configuration, and of each such token by id).
const LIST_COLUMNS: &str = "id, name, toml, updated_at AS updatedAt, \
    (SELECT COUNT(*) FROM token_config_scope s JOIN tokens t ON t.id = s.token_id \
     WHERE s.config_id = configs.id AND t.revoked_at IS NULL) AS scopedTokens";

/// The configurations `scope` reaches, by name.
pub async fn list(db: &D1Database, scope: &ConfigScope) -> worker::Result<Vec<Config>> {
    let statement = match scope {
        ConfigScope::All => query!(
            db,
            &format!("SELECT {LIST_COLUMNS} FROM configs ORDER BY name")
        ),
        ConfigScope::Only(ids) => {
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            query!(
                db,
                &format!(
                    "SELECT {LIST_COLUMNS} FROM configs WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY name"
                ),
                serde_json::to_string(&ids)?
            )?
        }
    };
    statement.all().await?.results()
}

pub async fn get(db: &D1Database, id: ConfigId) -> worker::Result<Option<Config>> {
    get_statement(db, id)?.first(None).await
}

/// The statement behind [`get`], for a `batch()` that reads it with something else.
pub fn get_statement(db: &D1Database, id: ConfigId) -> worker::Result<D1PreparedStatement> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM configs WHERE id = ?1"),
        id.to_string()
    )
}

/// What a write does: create a configuration with this id, or change the one that has it.
#[derive(Debug, Clone, Copy)]
pub enum Write {
    Insert(ConfigId),
    Update(ConfigId),
}

/// Writes the configuration and answers it as stored, in one statement (`RETURNING`); `None`
/// when an update names no configuration. Every edit moves `updated_at` into a later whole
/// second than the previous one, so `Last-Modified` (which has second precision) changes on
/// every edit, even two in the same second, and a polling agent never misses one.
pub async fn write(
    db: &D1Database,
    write: Write,
    name: &ConfigName,
    toml: &str,
    now: i64,
    actor: &Actor,
) -> Result<Option<Config>, WriteError> {
    let (sql, id) = match write {
        Write::Insert(id) => (
            "INSERT INTO configs (id, name, toml, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            id,
        ),
        Write::Update(id) => (
            "UPDATE configs SET name = ?2, toml = ?3, \
             updated_at = MAX(?4, (updated_at / 1000) * 1000 + 1000) WHERE id = ?1",
            id,
        ),
    };
    let id = id.to_string();
    let statement = query!(
        db,
        &format!("{sql} RETURNING {COLUMNS}"),
        &id,
        name.as_str(),
        toml,
        now
    )
    .map_err(WriteError::Db)?;
    let action = match write {
        Write::Insert(_) => AuditAction::ConfigCreated,
        Write::Update(_) => AuditAction::ConfigUpdated,
    };
    let entry = Entry::new(now, actor, action).on(SubjectType::Config, &id, Some(name.as_str()));
    let audit = audit::append(db, &entry, When::Changed).map_err(WriteError::Db)?;
    let results = db.batch(vec![statement, audit]).await.map_err(classify)?;
    match results.into_iter().next() {
        Some(written) => Ok(written
            .results()
            .map_err(WriteError::Db)?
            .into_iter()
            .next()),
        None => Ok(None),
    }
}

pub async fn delete(
    db: &D1Database,
    id: ConfigId,
    now: i64,
    actor: &Actor,
) -> worker::Result<bool> {
    let id = id.to_string();
    // Named before it goes: a configuration's name stays in the log (only tokens are erased).
    let entry =
        Entry::new(now, actor, AuditAction::ConfigDeleted).on(SubjectType::Config, &id, None);
    let audit = audit::append(
        db,
        &entry,
        When::holds(|v| {
            format!(
                "EXISTS (SELECT 1 FROM configs WHERE id = {})",
                v.text(Some(&id))
            )
        }),
    )?;
    let delete = query!(db, "DELETE FROM configs WHERE id = ?1", &id)?;
    let results = db.batch(vec![audit, delete]).await?;
    Ok(match results.get(1) {
        Some(deleted) => changes(deleted)? > 0,
        None => false,
    })
}
