//! The `tokens` table: typed rows in and out. Every read that serves a person is scoped by
//! an optional owner, so a Manager's queries can only ever see their own tokens.

use super::audit::{self, Actor, Entry, When};
use super::changes;
use super::statement::Values;
use super::token_events::{event, Written};
use serde::Deserialize;
use shared::actor::{describe, ActorKind};
use shared::addresses::Block;
use shared::api::EventKind;
use shared::audit::{AuditAction, SubjectType};
use shared::permissions::Permissions;
use shared::roles::Role;
use shared::time::Timestamp;
use shared::token_policy::{standing, Standing, TokenPolicy};
use shared::token_scope::ConfigScope;
use shared::token_state::{Facts, Opening, Rule, Tables};
use shared::{ConfigId, TokenId, TokenSource, TokenStatus, UserId};
use worker::{query, D1Database};

pub(super) use super::token_columns::{FROM, PAGE_COLUMNS, SELECT, SELECT_BY_HASH};
pub use super::token_insert::{insert, InsertError, NewToken};

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
    /// The ids of the configurations it may read, as a JSON array; NULL for all.
    pub config_scope: Option<String>,
    /// The address blocks it may be used from (`shared::addresses::Block`s as JSON); NULL
    /// for any address.
    pub allowed_addresses: Option<String>,
    /// The organisation's lifetime policy, where the query read it (pages do).
    #[serde(default)]
    pub policy_max_days: Option<u32>,
    #[serde(default, deserialize_with = "super::flag")]
    pub policy_require_expiry: bool,
}

impl TokenRow {
    /// The role it acts with and what it may really do (its grants within that role).
    pub fn powers(&self) -> (Option<Role>, Permissions) {
        (
            shared::roles::acting_role(self.owner_role, self.ceiling_role, self.source),
            shared::roles::token_permissions(
                self.permissions,
                self.owner_role,
                self.ceiling_role,
                self.source,
            ),
        )
    }

    /// Where it stands against the lifetime policy read with it (`shared::token_policy`).
    pub fn standing(&self, now: i64) -> Option<Standing> {
        standing(
            &self.policy(),
            self.source,
            self.revoked_at.is_some(),
            self.expires_at.map(Timestamp::millis),
            now,
        )
    }

    /// The lifetime policy read with it.
    pub fn policy(&self) -> TokenPolicy {
        TokenPolicy {
            max_lifetime_days: self.policy_max_days,
            require_expiry: self.policy_require_expiry,
        }
    }

    /// The address blocks it may be used from; `None` for any. A stored list that does not
    /// read back (only this code writes it) admits no address.
    pub fn allowed_addresses(&self) -> Option<Vec<Block>> {
        self.allowed_addresses
            .as_deref()
            .map(|json| serde_json::from_str(json).unwrap_or_default())
    }

    /// The configurations it may read. A stored scope that does not read back (it cannot:
    /// only this code writes it) reads as none, never as all.
    pub fn config_scope(&self) -> ConfigScope {
        match &self.config_scope {
            None => ConfigScope::All,
            Some(json) => ConfigScope::Only(
                serde_json::from_str::<Vec<ConfigId>>(json)
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
            ),
        }
    }

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

    /// What the rules of `shared::token_state` read of it, as presented: `via_previous` says
    /// which secret the lookup matched; `OWNER_TOKEN` is not known here (`None`).
    pub fn opening(&self) -> Opening {
        Opening {
            facts: Facts {
                revoked_at: self.revoked_at.map(Timestamp::millis),
                expires_at: self.expires_at.map(Timestamp::millis),
                owner_disabled: self.owner_disabled,
            },
            presented_current: !self.via_previous,
            previous_until: self.previous_until.map(Timestamp::millis),
            configured_current: None,
            source: self.source,
            owner_role: self.owner_role,
            ceiling: self.ceiling_role,
            permissions: self.permissions,
        }
    }

    /// What the presented secret is now (`Opening::status`): the token's status, except that
    /// the secret a rotation replaced is refused as revoked once its overlap is over.
    pub fn presented_status(&self, now: i64) -> TokenStatus {
        self.opening().status(now)
    }
}

/// One token, if it exists and (with `owner`) belongs to that user.
pub async fn get(
    db: &D1Database,
    id: TokenId,
    owner: Option<UserId>,
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
    owner: Option<UserId>,
    since: i64,
) -> worker::Result<Option<TokenRow>> {
    let mut v = Values::new();
    let (id, owner) = (v.text(Some(&id.to_string())), v.id(owner));
    let recent = recent_agents_column(&mut v, since);
    v.prepare(
        db,
        &format!(
            "{PAGE_COLUMNS}, {recent} {FROM} WHERE t.id = {id} AND ({owner} IS NULL OR t.owner_id = {owner})"
        ),
    )?
    .first(None)
    .await
}

/// A column that lists, as a JSON array of ids, the agents whose heartbeat used the row's
/// token after `since` (bound into `values`): an indexed lookup per row (`agents_by_token`),
/// so a page costs no extra scan.
pub fn recent_agents_column(values: &mut Values, since: i64) -> String {
    format!(
        "(SELECT json_group_array(id) FROM (SELECT a.id AS id FROM agents a \
         WHERE a.token_id = t.id AND a.last_seen > {} ORDER BY a.id)) AS recent_agents",
        values.number(since)
    )
}

/// Deletes one token (with `owner`, only that user's); `false` when there was none. The audit
/// entry names who deleted a token and nothing of the token (SPEC 3: no record retained).
pub async fn delete(
    db: &D1Database,
    id: TokenId,
    owner: Option<UserId>,
    now: i64,
    actor: &Actor,
) -> worker::Result<bool> {
    let id = id.to_string();
    let audit = audit::append(
        db,
        &Entry::new(now, actor, AuditAction::TokenDeleted),
        When::holds(|v| {
            let (id, scope) = (v.text(Some(&id)), v.id(owner));
            format!("EXISTS (SELECT 1 FROM tokens WHERE id = {id} AND ({scope} IS NULL OR owner_id = {scope}))")
        }),
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
    owner: Option<UserId>,
    now: i64,
    actor: &Actor,
    why: Option<&str>,
) -> worker::Result<bool> {
    let mut v = Values::new();
    let (token, scope) = (v.id(Some(id)), v.id(owner));
    let (at, by) = (v.number(now), actor.bind(&mut v));
    let revocable = Rule::revocable(now).sql(&Tables::UNALIASED, &mut |x| v.bound(x));
    let update = v.prepare(
        db,
        &format!(
            "UPDATE tokens SET revoked_at = {at}, (revoked_by_kind, revoked_by_user, revoked_by_token) \
             = ({by}) WHERE id = {token} AND ({scope} IS NULL OR owner_id = {scope}) AND {revocable}"
        ),
    )?;
    // The history event and the audit entry follow the update in the same transaction, each
    // written only when the statement before it wrote (`changes()`).
    let event = event(
        db,
        id,
        now,
        EventKind::Revoked,
        actor,
        why,
        Written::IfChanged,
    )?;
    let subject = id.to_string();
    let mut entry =
        Entry::new(now, actor, AuditAction::TokenRevoked).on(SubjectType::Token, &subject, None);
    entry.detail = why;
    let audit = audit::append(db, &entry, When::Changed)?;
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
    let update = query!(
        db,
        "UPDATE tokens SET owner_id = ?2 WHERE id = ?1",
        id,
        to_user
    )?;
    let event = event(
        db,
        id,
        now,
        EventKind::Reassigned,
        actor,
        Some(detail),
        Written::IfChanged,
    )?;
    let subject = id.to_string();
    let entry = Entry::new(now, actor, AuditAction::TokenReassigned)
        .on(SubjectType::Token, &subject, None)
        .detail(detail);
    let audit = audit::append(
        db,
        &entry,
        When::holds(|v| {
            format!(
                "EXISTS (SELECT 1 FROM tokens WHERE id = {})",
                v.id(Some(id))
            )
        }),
    )?;
    let results = db.batch(vec![update, event, audit]).await?;
    Ok(match results.first() {
        Some(first) => changes(first)? > 0,
        None => false,
    })
}
