//! `/api/tokens`: one token at a time: create (generated or pre-shared), list, inspect,
//! history, revoke, reassign, delete. The bulk forms are `tokens_bulk.rs`.

use crate::auth::Principal;
use crate::context::Ctx;
use crate::db::{
    self,
    tokens::{InsertError, NewToken, TokenRow},
};
use crate::error::ApiError;
use crate::http::{read_json, token_id};
use crate::platform::{new_token_secret, new_uuid};
use crate::response::{json, no_content};
use shared::api::{
    Capabilities, CreateTokenRequest, CreatedToken, EventList, Preset, ReassignRequest, Token,
    TokenEvent, TokenList,
};
use shared::expiry::new_token_expiry;
use shared::listing::{encode_cursor, TokenQuery};
use shared::permissions::Permissions;
use shared::roles::{may_reassign, may_reassign_to, token_permissions, ReassignRefusal, Role};
use shared::time::Timestamp;
use shared::token::{hint_from_last4, TokenSecret};
use shared::{ErrorCode, TokenId, TokenName, TokenSource, TokenStatus, UserId};
use worker::{D1Database, Env, Response};

pub async fn list(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let url = cx.req.url()?;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let query = TokenQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(ApiError::invalid)?;
    let (scope, now) = (cx.who.token_scope(), cx.now);
    let mut rows = db::token_list::list_page(&cx.db, scope, &query, now).await?;
    let next_cursor = if rows.len() > query.limit as usize {
        rows.truncate(query.limit as usize);
        rows.last().map(|last| {
            encode_cursor(
                query.sort,
                query.order,
                &db::token_list::sort_value(last, query.sort),
                &last.id.to_string(),
            )
        })
    } else {
        None
    };
    let total = db::token_list::count(&cx.db, scope, &query, now).await?;
    let mut items = rows
        .into_iter()
        .map(|row| to_api(row, now))
        .collect::<Result<Vec<_>, _>>()?;
    attach_recent_agents(&cx.db, &mut items, now).await?;
    Ok(json(
        200,
        &TokenList {
            items,
            total,
            next_cursor,
        },
    ))
}

pub fn capabilities(cx: &Ctx<'_>) -> Result<Response, ApiError> {
    Ok(json(
        200,
        &Capabilities {
            pre_shared_tokens_enabled: preshared_enabled(cx.env),
        },
    ))
}

pub async fn create(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let body: CreateTokenRequest = read_json(cx.req).await?;
    let name = TokenName::parse(&body.name)?;
    let permissions = requested_permissions(&body, &cx.who)?.to_string();
    // A token mints nothing that outlives it: a child expires no later than its parent.
    let parent = cx.who.token();
    let expiry = new_token_expiry(
        body.expires_at.as_deref(),
        cx.now,
        parent.and_then(|t| t.expires_at),
    )
    .map_err(|e| ApiError::invalid(e.to_string()))?;
    let created_detail = parent.map(|t| {
        let cap = if expiry.capped {
            "; its expiry is capped at that token's"
        } else {
            ""
        };
        format!("with the token \"{}\"{cap}", t.name)
    });
    let (secret, source) = match body.raw_token.as_deref() {
        None => (new_token_secret(), TokenSource::User),
        Some(raw) => (preshared(cx.env, raw)?, TokenSource::Preshared),
    };
    // The bootstrap token belongs to the instance, not to a person: what it creates belongs
    // to the Owner, so that it can be used and managed.
    let owner_id = match &cx.who.user_id {
        Some(id) => id.clone(),
        None => db::users::owner(&cx.db)
            .await?
            .ok_or_else(|| {
                ApiError::conflict(
                    ErrorCode::NoOwner,
                    "this instance has no Owner yet, so the token would belong to nobody: create the Owner first (POST /api/auth/setup)",
                )
            })?
            .id
            .to_string(),
    };
    let hash = secret.hash();
    let id = TokenId::from_uuid(new_uuid());
    let new = NewToken {
        id,
        name: name.as_str(),
        token_hash: hash.as_str(),
        last4: secret.last4(),
        permissions: &permissions,
        source,
        created_at: cx.now,
        expires_at: expiry.at,
        owner_id: Some(&owner_id),
        ceiling_role: cx.who.role,
        created_by: Some(&cx.who.actor),
        created_detail: created_detail.as_deref(),
    };
    match db::tokens::insert(&cx.db, &new).await {
        Ok(()) => {}
        Err(InsertError::NameTaken) => {
            return Err(ApiError::conflict(
                ErrorCode::TokenNameConflict,
                format!(
                    "a token named \"{}\" already exists; choose another name",
                    name.as_str()
                ),
            ))
        }
        Err(InsertError::ValueTaken) if source == TokenSource::Preshared => {
            return Err(value_taken())
        }
        // 256 random bits colliding means the CSPRNG is broken: that is our fault, not the caller's.
        Err(InsertError::ValueTaken) => {
            return Err(ApiError::Internal("generated token collided".into()))
        }
        Err(InsertError::Db(e)) => return Err(e.into()),
    }
    let row = db::tokens::get(&cx.db, id, None)
        .await?
        .ok_or_else(|| ApiError::Internal("token vanished right after insert".into()))?;
    Ok(json(
        201,
        &CreatedToken {
            token: to_api(row, cx.now)?,
            secret: secret.expose().to_owned(),
        },
    ))
}

pub async fn get(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let row = db::tokens::get(&cx.db, id, cx.who.token_scope())
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    let mut token = [to_api(row, cx.now)?];
    attach_recent_agents(&cx.db, &mut token, cx.now).await?;
    let [token] = token;
    Ok(json(200, &token))
}

/// Fills `recentAgents`: the agents whose heartbeat used each token in the last 24 hours,
/// so the bulk-delete warning can name what would break.
async fn attach_recent_agents(
    db: &D1Database,
    tokens: &mut [Token],
    now: i64,
) -> Result<(), ApiError> {
    if tokens.is_empty() {
        return Ok(());
    }
    let ids: Vec<TokenId> = tokens.iter().map(|t| t.id).collect();
    let ids_json = serde_json::to_string(&ids)?;
    for row in db::agents::recent_for(db, &ids_json, now - 86_400_000).await? {
        if let Some(token) = tokens.iter_mut().find(|t| t.id == row.token_id) {
            token.recent_agents.push(row.id);
        }
    }
    Ok(())
}

pub async fn history(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    db::tokens::get(&cx.db, id, cx.who.token_scope())
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    let items = db::tokens::events(&cx.db, id)
        .await?
        .into_iter()
        .map(|e| {
            Ok(TokenEvent {
                id: e.id.to_string(),
                kind: e.kind,
                at: e.at,
                actor: e.actor,
                detail: e.detail,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(json(200, &EventList { items }))
}

/// Revocation is immediate and irreversible; the token stays listed as Revoked for the audit
/// trail. A second revoke is 409 so a script learns it changed nothing.
pub async fn revoke(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let scope = cx.who.token_scope();
    if !db::tokens::revoke(&cx.db, id, scope, cx.now, &cx.who.actor).await? {
        return Err(match db::tokens::get(&cx.db, id, scope).await? {
            None => ApiError::token_not_found(id),
            Some(token) => ApiError::conflict(
                ErrorCode::AlreadyRevoked,
                format!(
                    "the token \u{201c}{}\u{201d} is already revoked",
                    token.name
                ),
            ),
        });
    }
    let row = db::tokens::get(&cx.db, id, scope)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    Ok(json(200, &to_api(row, cx.now)?))
}

/// Owner and Administrator move a token to another user; its effective permissions narrow
/// to that user's role from the next request on.
pub async fn reassign(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    require_reassigner(&cx.who)?;
    let id = token_id(raw_id)?;
    let body: ReassignRequest = read_json(cx.req).await?;
    let token = db::tokens::get(&cx.db, id, None)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    let target = new_owner(&cx.db, &body.user_id, cx.who.role).await?;
    let detail = format!(
        "from {} to {}",
        token.owner_name.as_deref().unwrap_or("the instance"),
        target.display_name
    );
    if !db::tokens::reassign(
        &cx.db,
        id,
        &target.id.to_string(),
        cx.now,
        &cx.who.actor,
        &detail,
    )
    .await?
    {
        return Err(ApiError::token_not_found(id));
    }
    let row = db::tokens::get(&cx.db, id, None)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    Ok(json(200, &to_api(row, cx.now)?))
}

pub async fn delete(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    // Another user's token is "not found" for a Manager: its existence is not theirs to learn.
    if db::tokens::delete(&cx.db, id, cx.who.token_scope()).await? {
        Ok(no_content())
    } else {
        Err(ApiError::token_not_found(id))
    }
}

/// Only Owner and Administrator move tokens; refused before anything is looked up.
pub fn require_reassigner(who: &Principal) -> Result<(), ApiError> {
    if may_reassign(who.role) {
        Ok(())
    } else {
        Err(ApiError::forbidden(ReassignRefusal::NotAllowed.to_string()))
    }
}

/// The user a token moves to: an existing, enabled user who may hold tokens and whose role
/// does not outrank the caller's (`shared::roles::may_reassign_to`).
pub async fn new_owner(
    db: &D1Database,
    raw: &str,
    caller: Role,
) -> Result<db::users::UserRow, ApiError> {
    let id = UserId::parse(raw)
        .ok_or_else(|| ApiError::invalid_id("userId must be a user id (a UUID)"))?;
    let user = db::users::by_id(db, id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(id))?;
    let role = user.role;
    match may_reassign_to(caller, role) {
        Ok(()) => {}
        Err(ReassignRefusal::CannotHoldTokens) => {
            return Err(ApiError::invalid(
                ReassignRefusal::CannotHoldTokens.to_string(),
            ))
        }
        Err(refusal) => {
            return Err(ApiError::forbidden(format!(
                "{refusal}: {} is {} and you act as {}",
                user.display_name,
                role.label(),
                caller.label()
            )))
        }
    }
    if user.disabled {
        return Err(ApiError::invalid(
            "that user is disabled; enable them first",
        ));
    }
    Ok(user)
}

fn preshared_enabled(env: &Env) -> bool {
    !env.var("DISABLE_PRESHARED_TOKENS")
        .is_ok_and(|v| v.to_string().trim().eq_ignore_ascii_case("true"))
}

/// A caller-supplied token string: allowed unless switched off, in the exact token format,
/// and never the bootstrap token's string.
fn preshared(env: &Env, raw: &str) -> Result<TokenSecret, ApiError> {
    if !preshared_enabled(env) {
        return Err(ApiError::client(
            ErrorCode::PresharedTokensDisabled,
            "this instance does not accept pre-shared token strings (DISABLE_PRESHARED_TOKENS=true); omit rawToken to get a generated token",
        ));
    }
    let secret = TokenSecret::parse(raw)
        .map_err(|e| ApiError::invalid(format!("rawToken is not a valid token string: {e}")))?;
    if crate::auth::is_bootstrap(env, &secret) {
        return Err(value_taken());
    }
    Ok(secret)
}

fn value_taken() -> ApiError {
    ApiError::conflict(
        ErrorCode::TokenValueConflict,
        "that token string is already in use; choose another",
    )
}

/// The permissions a new token gets: the preset or the string (not both), the Telegraf Agent
/// preset when neither is given, and never more than the creator's own credential holds.
fn requested_permissions(
    body: &CreateTokenRequest,
    who: &Principal,
) -> Result<Permissions, ApiError> {
    let wanted = match (&body.permissions, body.preset) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "send either permissions or preset, not both",
            ))
        }
        (Some(text), None) => Permissions::parse(text)?,
        (None, Some(Preset::FullAccess)) => who.permissions,
        (None, Some(Preset::TelegrafAgent) | None) => Permissions::telegraf_agent(),
    };
    if !wanted.is_subset_of(who.permissions) {
        return Err(ApiError::client(
            ErrorCode::PermissionExceedsRole,
            format!(
                "a token cannot have more than its creator: you may grant at most {}",
                who.permissions
            ),
        ));
    }
    Ok(wanted)
}

pub fn to_api(row: TokenRow, now: i64) -> Result<Token, ApiError> {
    Ok(Token {
        status: TokenStatus::derive(
            row.revoked_at.map(Timestamp::millis),
            row.expires_at.map(Timestamp::millis),
            row.owner_disabled,
            now,
        ),
        effective_permissions: token_permissions(
            row.permissions,
            row.owner_role,
            row.ceiling_role,
            row.source,
        ),
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        last_used_at: row.last_used_at,
        id: row.id,
        name: row.name,
        hint: hint_from_last4(&row.last4),
        owner_id: row.owner_id,
        owner_name: row.owner_name,
        permissions: row.permissions,
        source: row.source,
        created_by: row.created_by,
        revoked_by: row.revoked_by,
        last_used_ip: row.last_used_ip,
        last_used_agent: row.last_used_agent,
        recent_agents: Vec::new(),
    })
}
