//! A token's configuration scope: `tokens.config_scoped` and its rows in
//! `token_config_scope`, written beside the change that sets them.

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
    let mut statements = rows(db, id, scope)?;
    statements.push(update(
        db,
        id,
        &Change {
            scope: Some(scope),
            addresses: None,
        },
    )?);
    Ok(statements)
}

/// The scope's rows: the token's old ones go, its new ones (none for all) come.
fn rows(
    db: &D1Database,
    id: TokenId,
    scope: &ConfigScope,
) -> worker::Result<Vec<D1PreparedStatement>> {
    let mut v = Values::new();
    let token = v.id(Some(id));
    let mut statements = vec![v.prepare(
        db,
        &format!("DELETE FROM token_config_scope WHERE token_id = {token}"),
    )?];
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
    Ok(statements)
}

/// What a change sets: the scope, the address blocks (as JSON; `Some(None)` for any address),
/// or both.
pub struct Change<'a> {
    pub scope: Option<&'a ConfigScope>,
    pub addresses: Option<Option<&'a str>>,
}

/// The token's own columns for `change`, in one statement.
fn update(
    db: &D1Database,
    id: TokenId,
    change: &Change<'_>,
) -> worker::Result<D1PreparedStatement> {
    let mut v = Values::new();
    let mut sets = Vec::new();
    if let Some(scope) = change.scope {
        let scoped = i64::from(matches!(scope, ConfigScope::Only(_)));
        sets.push(format!("config_scoped = {}", v.number(scoped)));
    }
    if let Some(blocks) = change.addresses {
        sets.push(format!("allowed_addresses = {}", v.text(blocks)));
    }
    let token = v.id(Some(id));
    v.prepare(
        db,
        &format!("UPDATE tokens SET {} WHERE id = {token}", sets.join(", ")),
    )
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

/// Gives token `id` a new scope or address allow-list (or both), with its history event and
/// audit entry naming before and after, in one transaction; `false` when the token or a
/// configuration named went meanwhile (their foreign keys refuse the rows; nothing changes).
pub async fn change(
    db: &D1Database,
    id: TokenId,
    change: &Change<'_>,
    detail: &str,
    now: i64,
    actor: &Actor,
) -> worker::Result<bool> {
    let mut batch = match change.scope {
        Some(scope) => rows(db, id, scope)?,
        None => Vec::new(),
    };
    batch.push(update(db, id, change)?);
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
        Err(e) if super::foreign_key_violation(&e) => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(match results.get(flag) {
        Some(flag) => changes(flag)? > 0,
        None => false,
    })
}
