//! A token's configuration scope: `tokens.config_scoped` and its rows in
//! `token_config_scope` (migration 0013), written beside the change that sets them.

use super::audit::{self, Actor, Entry, When};
use super::token_events::{event, Written};
use super::{changes, statement::Values};
use shared::api::EventKind;
use shared::audit::{AuditAction, SubjectType};
use shared::token_scope::ConfigScope;
use shared::{ConfigId, TokenId};
use worker::{D1Database, D1PreparedStatement};

/// The ids as a JSON array, for `json_each`.
fn ids_json(ids: impl IntoIterator<Item = ConfigId>) -> String {
    let ids: Vec<String> = ids.into_iter().map(|id| format!("\"{id}\"")).collect();
    format!("[{}]", ids.join(","))
}

/// The statements that give token `id` this scope, for its batch: its rows (none for all),
/// then its flag, last, so that what follows can ask `changes()` whether the token is there.
pub fn statements(
    db: &D1Database,
    id: TokenId,
    scope: &ConfigScope,
) -> worker::Result<Vec<D1PreparedStatement>> {
    let mut v = Values::new();
    let (token, scoped) = (
        v.id(Some(id)),
        v.number(i64::from(matches!(scope, ConfigScope::Only(_)))),
    );
    let flag = v.prepare(
        db,
        &format!("UPDATE tokens SET config_scoped = {scoped} WHERE id = {token}"),
    )?;
    let clear = v.prepare_first(
        db,
        &format!("DELETE FROM token_config_scope WHERE token_id = {token}"),
        1,
    )?;
    let mut statements = vec![clear];
    if let ConfigScope::Only(ids) = scope {
        let mut v = Values::new();
        let (token, ids) = (v.id(Some(id)), v.text(Some(&ids_json(ids.iter().copied()))));
        statements.push(v.prepare(
            db,
            &format!(
                "INSERT INTO token_config_scope (token_id, config_id) SELECT {token}, value FROM json_each({ids})"
            ),
        )?);
    }
    statements.push(flag);
    Ok(statements)
}

/// Which of `ids` name no configuration, in one statement.
pub async fn missing(db: &D1Database, ids: &ConfigScope) -> worker::Result<Vec<ConfigId>> {
    let ConfigScope::Only(ids) = ids else {
        return Ok(Vec::new());
    };
    #[derive(serde::Deserialize)]
    struct Missing {
        id: ConfigId,
    }
    let mut v = Values::new();
    let ids = v.text(Some(&ids_json(ids.iter().copied())));
    let rows: Vec<Missing> = v
        .prepare(
            db,
            &format!(
                "SELECT value AS id FROM json_each({ids}) WHERE value NOT IN (SELECT id FROM configs)"
            ),
        )?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|m| m.id).collect())
}

/// Gives token `id` a new scope, with its history event and audit entry naming before and
/// after, in one transaction; `false` when the token or a configuration named went meanwhile
/// (their foreign keys refuse the rows, and nothing is changed).
pub async fn change(
    db: &D1Database,
    id: TokenId,
    scope: &ConfigScope,
    detail: &str,
    now: i64,
    actor: &Actor,
) -> worker::Result<bool> {
    let mut batch = statements(db, id, scope)?;
    let flag = batch.len() - 1;
    batch.push(event(
        db,
        id,
        now,
        EventKind::ScopeChanged,
        actor,
        Some(detail),
        Written::IfChanged,
    )?);
    let subject = id.to_string();
    let entry = Entry::new(now, actor, AuditAction::TokenScopeChanged)
        .on(SubjectType::Token, &subject, None)
        .detail(detail);
    batch.push(audit::append(db, &entry, When::Changed)?);
    let results = match db.batch(batch).await {
        Ok(results) => results,
        Err(e) if e.to_string().contains("FOREIGN KEY constraint failed") => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(match results.get(flag) {
        Some(flag) => changes(flag)? > 0,
        None => false,
    })
}
