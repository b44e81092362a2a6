//! The `tokens` table: typed rows in and out. Every read that serves a person is scoped by
//! an optional owner, so a Manager's queries can only ever see their own tokens.

use super::audit::{self, Actor, Entry};
use super::{changes, unique_violation};
use serde::Deserialize;
use shared::actor::{describe, ActorKind};
use shared::api::EventKind;
use shared::audit::{AuditAction, SubjectType};
use shared::permissions::Permissions;
use shared::roles::Role;
use shared::time::Timestamp;
use shared::token_state::{Rule, Tables};
use shared::{TokenId, TokenSource, TokenStatus, UserId};
use wasm_bindgen::JsValue;
use worker::{query, D1Database, D1PreparedStatement};

/// Every column of a token row that authentication reads, with its owner's (a macro, so
/// `concat!` can join it).
macro_rules! auth_columns {
    () => {
        "SELECT t.id AS id, t.name AS name, t.last4 AS last4, t.permissions AS permissions, \
         t.source AS source, t.created_at AS created_at, t.expires_at AS expires_at, \
         t.revoked_at AS revoked_at, t.last_used_at AS last_used_at, t.last_used_ip AS last_used_ip, \
         t.last_used_agent AS last_used_agent, t.owner_id AS owner_id, u.display_name AS owner_name, \
         u.role AS owner_role, \
         COALESCE(u.disabled, 0) AS owner_disabled, t.ceiling_role AS ceiling_role, \
         u.username AS owner_username, t.last_refused_at AS last_refused_at, \
         t.rotated_at AS rotated_at, t.previous_until AS previous_until, \
         t.previous_last_used_at AS previous_last_used_at"
    };
}

/// Every column of a token row as a person sees it: the authentication columns, and who
/// created and revoked it, by reference with the names those references have now (a token or
/// user deleted since has none: `shared::actor::describe` says so). Only pages pay for the
/// name lookups; the agent's lookup by hash reads none of them.
macro_rules! page_columns {
    () => {
        concat!(
            auth_columns!(),
            ", t.created_by_kind AS created_by_kind, \
             (SELECT cu.username FROM users cu WHERE cu.id = t.created_by_user) AS created_by_user_name, \
             (SELECT ct.name FROM tokens ct WHERE ct.id = t.created_by_token) AS created_by_token_name, \
             t.revoked_by_kind AS revoked_by_kind, \
             (SELECT ru.username FROM users ru WHERE ru.id = t.revoked_by_user) AS revoked_by_user_name, \
             (SELECT rt.name FROM tokens rt WHERE rt.id = t.revoked_by_token) AS revoked_by_token_name"
        )
    };
}

/// The tokens with their owners.
macro_rules! tokens_from {
    () => {
        "FROM tokens t LEFT JOIN users u ON u.id = t.owner_id"
    };
}

pub(super) const PAGE_COLUMNS: &str = page_columns!();
pub(super) const FROM: &str = tokens_from!();
/// The token with its owner.
pub(super) const SELECT: &str = concat!(page_columns!(), " ", tokens_from!());
/// The token whose current or previous secret has the hash bound as `?1`, with its owner and
/// which of the two secrets matched: one query, one probe of each hash's unique index.
pub(super) const SELECT_BY_HASH: &str = concat!(
    auth_columns!(),
    ", t.token_hash != ?1 AS via_previous ",
    tokens_from!(),
    " WHERE t.token_hash = ?1 OR t.previous_hash = ?1"
);

#[derive(Debug, Deserialize)]
pub struct TokenRow {
    pub id: TokenId,
    pub name: String,
    pub last4: String,
    pub permissions: Permissions,
    pub source: TokenSource,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub last_used_ip: Option<String>,
    pub last_used_agent: Option<String>,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    /// Who created and who revoked it, where the query read them (pages do, the agent's
    /// lookup does not).
    #[serde(default)]
    pub created_by_kind: Option<ActorKind>,
    #[serde(default)]
    pub created_by_user_name: Option<String>,
    #[serde(default)]
    pub created_by_token_name: Option<String>,
    #[serde(default)]
    pub revoked_by_kind: Option<ActorKind>,
    #[serde(default)]
    pub revoked_by_user_name: Option<String>,
    #[serde(default)]
    pub revoked_by_token_name: Option<String>,
    pub owner_role: Option<Role>,
    #[serde(deserialize_with = "super::flag")]
    pub owner_disabled: bool,
    pub ceiling_role: Role,
    pub owner_username: Option<String>,
    /// When an agent's presentation of it was last refused and recorded.
    pub last_refused_at: Option<i64>,
    /// The agents that used it recently, as a JSON array, where the query asked for them.
    #[serde(default)]
    pub recent_agents: Option<String>,
    pub rotated_at: Option<Timestamp>,
    /// Until when the secret before the last rotation works.
    pub previous_until: Option<Timestamp>,
    pub previous_last_used_at: Option<Timestamp>,
    /// Whether the lookup matched the previous secret (only the lookup by hash says).
    #[serde(default, deserialize_with = "super::flag")]
    pub via_previous: bool,
}

impl TokenRow {
    /// Who created it, as an answer names them now.
    pub fn created_by(&self) -> Option<String> {
        self.created_by_kind.map(|kind| {
            describe(
                kind,
                self.created_by_user_name.as_deref(),
                self.created_by_token_name.as_deref(),
            )
        })
    }

    /// Who revoked it, as an answer names them now.
    pub fn revoked_by(&self) -> Option<String> {
        self.revoked_by_kind.map(|kind| {
            describe(
                kind,
                self.revoked_by_user_name.as_deref(),
                self.revoked_by_token_name.as_deref(),
            )
        })
    }

    /// What the token is now, by the one rule the list and the agent path share.
    pub fn status(&self, now: i64) -> TokenStatus {
        TokenStatus::derive(
            self.revoked_at.map(Timestamp::millis),
            self.expires_at.map(Timestamp::millis),
            self.owner_disabled,
            now,
        )
    }

    /// What the presented secret is now: the token's status, except that the secret before
    /// the last rotation is refused as revoked once its overlap is over.
    pub fn presented_status(&self, now: i64) -> TokenStatus {
        match self.status(now) {
            TokenStatus::Active | TokenStatus::OwnerDisabled
                if self.via_previous
                    && self
                        .previous_until
                        .is_none_or(|until| until.millis() <= now) =>
            {
                TokenStatus::Revoked
            }
            status => status,
        }
    }
}

pub struct NewToken<'a> {
    pub id: TokenId,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub last4: &'a str,
    pub permissions: &'a str,
    pub source: TokenSource,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub owner_id: Option<&'a str>,
    /// The most the token may ever act as: its creator's role.
    pub ceiling_role: Role,
    /// What the "created" history event adds (an expiry capped at the creating token's).
    pub created_detail: Option<&'a str>,
}

#[derive(Debug)]
pub enum InsertError {
    NameTaken,
    ValueTaken,
    Db(worker::Error),
}

/// Inserts the token (created by `actor`) and its "created" history event in one transaction.
pub async fn insert(db: &D1Database, t: &NewToken<'_>, actor: &Actor) -> Result<(), InsertError> {
    let [kind, user, token] = actor.columns();
    let insert = db
        .prepare(
            "INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, \
             expires_at, owner_id, ceiling_role, created_by_kind, created_by_user, created_by_token) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
            t.owner_id.map_or(JsValue::NULL, JsValue::from),
            t.ceiling_role.as_str().into(),
            kind,
            user,
            token,
        ])
        .map_err(InsertError::Db)?;
    let id = t.id.to_string();
    let event = event(
        db,
        &id,
        t.created_at,
        "created",
        actor,
        t.created_detail,
        Written::Always,
    )
    .map_err(InsertError::Db)?;
    let entry = Entry::new(t.created_at, actor, AuditAction::TokenCreated).on(
        SubjectType::Token,
        &id,
        Some(t.name),
    );
    let audit = audit::append(db, &entry, "true", &[]).map_err(InsertError::Db)?;
    match db.batch(vec![insert, event, audit]).await {
        Ok(_) => Ok(()),
        Err(e) if unique_violation(&e, "tokens.name") => Err(InsertError::NameTaken),
        Err(e) if super::value_conflict(&e) => Err(InsertError::ValueTaken),
        Err(e) => Err(InsertError::Db(e)),
    }
}

/// One token, if it exists and (with `owner`) belongs to that user.
pub async fn get(
    db: &D1Database,
    id: TokenId,
    owner: Option<&str>,
) -> worker::Result<Option<TokenRow>> {
    query!(
        db,
        &format!("{SELECT} WHERE t.id = ?1 AND (?2 IS NULL OR t.owner_id = ?2)"),
        id.to_string(),
        owner
    )?
    .first(None)
    .await
}

/// One token with the agents that used it since `since`, in one statement.
pub async fn get_with_recent(
    db: &D1Database,
    id: TokenId,
    owner: Option<&str>,
    since: i64,
) -> worker::Result<Option<TokenRow>> {
    query!(
        db,
        &format!(
            "{PAGE_COLUMNS}, {} {FROM} WHERE t.id = ?1 AND (?2 IS NULL OR t.owner_id = ?2)",
            recent_agents_column(3)
        ),
        id.to_string(),
        owner,
        since
    )?
    .first(None)
    .await
}

/// A column that lists, as a JSON array of ids, the agents whose heartbeat used the row's
/// token after the instant bound as parameter `since_param`: an indexed lookup per row
/// (`agents_by_token`), so a page costs no extra scan.
pub fn recent_agents_column(since_param: usize) -> String {
    format!(
        "(SELECT json_group_array(id) FROM (SELECT a.id AS id FROM agents a \
         WHERE a.token_id = t.id AND a.last_seen > ?{since_param} ORDER BY a.id)) AS recent_agents"
    )
}

/// Deletes one token (with `owner`, only that user's); `false` when there was none. The audit
/// entry names who deleted a token and nothing of the token (SPEC 3: no record retained).
pub async fn delete(
    db: &D1Database,
    id: TokenId,
    owner: Option<&str>,
    now: i64,
    actor: &Actor,
) -> worker::Result<bool> {
    let id = id.to_string();
    let scope = owner.map_or(JsValue::NULL, JsValue::from);
    let audit = audit::append(
        db,
        &Entry::new(now, actor, AuditAction::TokenDeleted),
        "EXISTS (SELECT 1 FROM tokens WHERE id = ?11 AND (?12 IS NULL OR owner_id = ?12))",
        &[id.as_str().into(), scope],
    )?;
    let delete = query!(
        db,
        "DELETE FROM tokens WHERE id = ?1 AND (?2 IS NULL OR owner_id = ?2)",
        &id,
        owner
    )?;
    let results = db.batch(vec![audit, delete]).await?;
    Ok(match results.get(1) {
        Some(deleted) => changes(deleted)? > 0,
        None => false,
    })
}

/// Revokes one active token (with `owner`, only that user's) and records it in the token's
/// history, in one transaction; `false` when nothing changed.
pub async fn revoke(
    db: &D1Database,
    id: TokenId,
    owner: Option<&str>,
    now: i64,
    actor: &Actor,
    why: Option<&str>,
) -> worker::Result<bool> {
    let id = id.to_string();
    let [kind, user, token] = actor.columns();
    let mut params = vec![
        id.as_str().into(),
        owner.map_or(JsValue::NULL, JsValue::from),
        (now as f64).into(),
        kind,
        user,
        token,
    ];
    let revocable = Rule::revocable(now).sql(&Tables::UNALIASED, &mut |ms| {
        params.push((ms as f64).into());
        format!("?{}", params.len())
    });
    let update = db
        .prepare(format!(
            "UPDATE tokens SET revoked_at = ?3, revoked_by_kind = ?4, revoked_by_user = ?5, \
             revoked_by_token = ?6 WHERE id = ?1 AND (?2 IS NULL OR owner_id = ?2) AND {revocable}"
        ))
        .bind(&params)?;
    // The history event and the audit entry follow the update in the same transaction, each
    // written only when the statement before it wrote (`changes()`).
    let event = event(db, &id, now, "revoked", actor, why, Written::IfChanged)?;
    let mut entry =
        Entry::new(now, actor, AuditAction::TokenRevoked).on(SubjectType::Token, &id, None);
    entry.detail = why;
    let audit = audit::append(db, &entry, "changes() > 0", &[])?;
    let results = db.batch(vec![update, event, audit]).await?;
    Ok(match results.first() {
        Some(first) => changes(first)? > 0,
        None => false,
    })
}

/// Moves one token to another owner and records who did it, in one transaction.
pub async fn reassign(
    db: &D1Database,
    id: TokenId,
    to_user: &str,
    now: i64,
    detail: &str,
    actor: &Actor,
) -> worker::Result<bool> {
    let id = id.to_string();
    let update = query!(
        db,
        "UPDATE tokens SET owner_id = ?2 WHERE id = ?1",
        &id,
        to_user
    )?;
    let event = event(
        db,
        &id,
        now,
        "reassigned",
        actor,
        Some(detail),
        Written::IfChanged,
    )?;
    let entry = Entry::new(now, actor, AuditAction::TokenReassigned)
        .on(SubjectType::Token, &id, None)
        .detail(detail);
    let audit = audit::append(
        db,
        &entry,
        "EXISTS (SELECT 1 FROM tokens WHERE id = ?7)",
        &[],
    )?;
    let results = db.batch(vec![update, event, audit]).await?;
    Ok(match results.first() {
        Some(first) => changes(first)? > 0,
        None => false,
    })
}

/// When a history event is written: always, or only when the statement before it in the
/// batch changed a row (`changes()`), so the event exists exactly when its change does.
#[derive(Clone, Copy)]
pub(super) enum Written {
    Always,
    IfChanged,
}

/// A history event insert by `actor`, for batching with the change it records.
pub(super) fn event(
    db: &D1Database,
    token_id: &str,
    at: i64,
    kind: &str,
    actor: &Actor,
    detail: Option<&str>,
    written: Written,
) -> worker::Result<D1PreparedStatement> {
    let when = match written {
        Written::Always => "true",
        Written::IfChanged => "changes() > 0",
    };
    let [actor_kind, user, token] = actor.columns();
    db.prepare(format!(
        "INSERT INTO token_events (token_id, at, kind, actor_kind, actor_user, actor_token, detail) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE {when}"
    ))
    .bind(&[
        token_id.into(),
        (at as f64).into(),
        kind.into(),
        actor_kind,
        user,
        token,
        detail.map_or(JsValue::NULL, JsValue::from),
    ])
}

#[derive(Debug, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub at: Timestamp,
    pub kind: EventKind,
    /// For an agent's first use, usage or refusal: the address it came from.
    pub address: Option<String>,
    /// Everyone else, by reference, with the names the references have now.
    pub actor_kind: Option<ActorKind>,
    pub actor_user_name: Option<String>,
    pub actor_token_name: Option<String>,
    pub detail: Option<String>,
}

impl EventRow {
    /// Who did it, as an answer names them: the actor now, or the agent's address.
    pub fn actor(&self) -> Option<String> {
        match self.actor_kind {
            Some(kind) => Some(describe(
                kind,
                self.actor_user_name.as_deref(),
                self.actor_token_name.as_deref(),
            )),
            None => self.address.clone(),
        }
    }
}

/// A token's history, newest first, when the caller may see the token (`None` otherwise):
/// the check and the read in one `batch()`.
pub async fn events(
    db: &D1Database,
    id: TokenId,
    owner: Option<&str>,
) -> worker::Result<Option<Vec<EventRow>>> {
    #[derive(Deserialize)]
    struct Visible {}
    let visible = query!(
        db,
        "SELECT 1 AS n FROM tokens WHERE id = ?1 AND (?2 IS NULL OR owner_id = ?2)",
        id.to_string(),
        owner
    )?;
    let events = query!(
        db,
        "SELECT e.id AS id, e.at AS at, e.kind AS kind, e.address AS address, e.actor_kind AS actor_kind, \
         (SELECT u.username FROM users u WHERE u.id = e.actor_user) AS actor_user_name, \
         (SELECT t.name FROM tokens t WHERE t.id = e.actor_token) AS actor_token_name, e.detail AS detail \
         FROM token_events e WHERE e.token_id = ?1 ORDER BY e.at DESC, e.id DESC LIMIT 500",
        id.to_string()
    )?;
    let mut answers = db.batch(vec![visible, events]).await?.into_iter();
    let seen = match answers.next() {
        Some(found) => !found.results::<Visible>()?.is_empty(),
        None => false,
    };
    match (seen, answers.next()) {
        (true, Some(events)) => Ok(Some(events.results()?)),
        _ => Ok(None),
    }
}

/// A rotation: the new secret's hash and hint, and how long the previous one still works.
pub struct Rotation<'a> {
    /// The ceiling from now on: capped at the role of whoever receives the new secret.
    pub ceiling: Role,
    pub new_hash: &'a str,
    pub new_last4: &'a str,
    pub previous_until: i64,
    pub detail: &'a str,
}

/// Replaces a token's secret, keeping the previous one until `previous_until`, and records it
/// in the history and the audit log: one batch, which also answers the token as it is now. The
/// write holds only while the token is still what the caller's permission was checked against
/// (same secret, owner, owner's role, ceiling, permissions; active), so a concurrent change
/// makes it a no-op (`None`).
pub async fn rotate(
    db: &D1Database,
    seen: &TokenRow,
    now: i64,
    r: &Rotation<'_>,
    actor: &Actor,
) -> worker::Result<Option<TokenRow>> {
    let id = seen.id.to_string();
    let owner = seen.owner_id.map(|o| o.to_string());
    let update = db
        .prepare(
            "UPDATE tokens SET previous_hash = token_hash, previous_until = ?3, \
             previous_last_used_at = last_used_at, token_hash = ?4, last4 = ?5, rotated_at = ?2, \
             ceiling_role = ?12 \
             WHERE id = ?1 AND owner_id IS ?6 AND ceiling_role = ?7 AND permissions = ?8 \
             AND (SELECT role FROM users WHERE id = owner_id) IS ?9 AND last4 = ?10 \
             AND rotated_at IS ?11 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)",
        )
        .bind(&[
            id.as_str().into(),
            (now as f64).into(),
            (r.previous_until as f64).into(),
            r.new_hash.into(),
            r.new_last4.into(),
            owner.as_deref().map_or(JsValue::NULL, JsValue::from),
            seen.ceiling_role.as_str().into(),
            seen.permissions.to_string().into(),
            seen.owner_role.map_or(JsValue::NULL, |role| role.as_str().into()),
            seen.last4.as_str().into(),
            seen.rotated_at.map_or(JsValue::NULL, |t| (t.millis() as f64).into()),
            r.ceiling.as_str().into(),
        ])?;
    let event = event(
        db,
        &id,
        now,
        "rotated",
        actor,
        Some(r.detail),
        Written::IfChanged,
    )?;
    let entry = Entry::new(now, actor, AuditAction::TokenRotated)
        .on(SubjectType::Token, &id, Some(&seen.name))
        .detail(r.detail);
    let audit = audit::append(
        db,
        &entry,
        "EXISTS (SELECT 1 FROM tokens WHERE id = ?7 AND rotated_at = ?1 AND token_hash = ?11)",
        &[r.new_hash.into()],
    )?;
    // The token as it is now comes back in the same round trip, read only if it rotated.
    let after = query!(
        db,
        &format!("{SELECT} WHERE t.id = ?1 AND t.rotated_at = ?2 AND t.token_hash = ?3"),
        &id,
        now,
        r.new_hash
    )?;
    let results = db.batch(vec![update, event, audit, after]).await?;
    match results.last() {
        Some(row) => Ok(row.results::<TokenRow>()?.into_iter().next()),
        None => Ok(None),
    }
}
