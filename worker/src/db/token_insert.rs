//! A new token, with its scope, its "created" history event and its audit entry, in one
//! transaction.

use super::audit::{self, Actor, Entry, When};
use super::token_events::{event, Written};
use super::unique_violation;
use shared::api::EventKind;
use shared::audit::{AuditAction, SubjectType};
use shared::roles::Role;
use shared::token_scope::ConfigScope;
use shared::{TokenId, TokenSource, UserId};
use wasm_bindgen::JsValue;
use worker::D1Database;

pub struct NewToken<'a> {
    pub id: TokenId,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub last4: &'a str,
    pub permissions: &'a str,
    pub source: TokenSource,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub owner_id: Option<UserId>,
    /// The most the token may ever act as: its creator's role.
    pub ceiling_role: Role,
    /// What the "created" history event adds (an expiry capped at the creating token's).
    pub created_detail: Option<&'a str>,
    /// The configurations it may read.
    pub config_scope: &'a ConfigScope,
    /// The address blocks it may be used from, as JSON; `None` for any.
    pub allowed_addresses: Option<&'a str>,
}

#[derive(Debug)]
pub enum InsertError {
    NameTaken,
    ValueTaken,
    ScopeGone,
    Db(worker::Error),
}

/// Inserts the token (created by `actor`) and its "created" history event in one transaction.
pub async fn insert(db: &D1Database, t: &NewToken<'_>, actor: &Actor) -> Result<(), InsertError> {
    let [kind, user, token] = actor.columns();
    let insert = db
        .prepare(
            "INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, \
             expires_at, owner_id, ceiling_role, created_by_kind, created_by_user, created_by_token, \
             allowed_addresses) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )
        .bind(&[
            t.id.to_string().into(),
            t.name.into(),
            t.token_hash.into(),
            t.last4.into(),
            t.permissions.into(),
            t.source.as_str().into(),
            (t.created_at as f64).into(),
            t.expires_at.map_or(JsValue::NULL, |e| (e as f64).into()),
            t.owner_id.map_or(JsValue::NULL, |o| o.to_string().into()),
            t.ceiling_role.as_str().into(),
            kind,
            user,
            token,
            t.allowed_addresses.map_or(JsValue::NULL, JsValue::from),
        ])
        .map_err(InsertError::Db)?;
    let event = event(
        db,
        t.id,
        t.created_at,
        EventKind::Created,
        actor,
        t.created_detail,
        Written::Always,
    )
    .map_err(InsertError::Db)?;
    let subject = t.id.to_string();
    let entry = Entry::new(t.created_at, actor, AuditAction::TokenCreated).on(
        SubjectType::Token,
        &subject,
        Some(t.name),
    );
    let audit = audit::append(db, &entry, When::Always).map_err(InsertError::Db)?;
    let mut batch = vec![insert];
    batch
        .extend(super::token_scope::statements(db, t.id, t.config_scope).map_err(InsertError::Db)?);
    batch.extend([event, audit]);
    match db.batch(batch).await {
        Ok(_) => Ok(()),
        // A configuration named in its scope was deleted since it was checked.
        Err(e) if super::foreign_key_violation(&e) => Err(InsertError::ScopeGone),
        Err(e) if unique_violation(&e, "tokens.name") => Err(InsertError::NameTaken),
        Err(e) if super::value_conflict(&e) => Err(InsertError::ValueTaken),
        Err(e) => Err(InsertError::Db(e)),
    }
}
