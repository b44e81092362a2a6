//! `/api/tokens`: the whole token lifecycle: create (generated or pre-shared), list, inspect,
//! history, revoke, reassign, delete, and the same in bulk, all or nothing.

use crate::auth::Principal;
use crate::db::{
    self,
    tokens::{BulkChange, InsertError, NewToken, TokenRow},
};
use crate::error::ApiError;
use crate::http::{json, no_content, read_json, token_id};
use crate::platform::{new_token_secret, new_uuid, now_ms};
use shared::api::{
    BulkDeleted, BulkReassignRequest, BulkReassigned, BulkRequest, BulkRevoked, Capabilities,
    CreateTokenRequest, CreatedToken, EventKind, EventList, Preset, ReassignRequest, Token,
    TokenEvent, TokenList,
};
use shared::listing::{encode_cursor, TokenQuery};
use shared::permissions::Permissions;
use shared::roles::{may_reassign, may_reassign_to, ReassignRefusal, Role};
use shared::time::{millis_from_rfc3339, rfc3339_from_millis};
use shared::token::{hint_from_last4, TokenSecret};
use shared::{ErrorCode, TokenId, TokenName, TokenSource, TokenStatus, UserId};
use worker::{Env, Request, Response};

/// SPEC 6: a bulk request names 1 to 1,000 ids.
pub const MAX_BULK: usize = 1000;

pub async fn list(req: &Request, env: &Env, principal: &Principal) -> Result<Response, ApiError> {
    let url = req.url()?;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let query = TokenQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|m| ApiError::client(ErrorCode::InvalidRequest, m))?;
    let db = db::database(env)?;
    let scope = principal.token_scope();
    let now = now_ms();
    let mut rows = db::tokens::list_page(&db, scope, &query, now).await?;
    let next_cursor = if rows.len() > query.limit as usize {
        rows.truncate(query.limit as usize);
        rows.last().map(|last| {
            encode_cursor(
                query.sort,
                query.order,
                &db::tokens::sort_value(last, query.sort),
                &last.id,
            )
        })
    } else {
        None
    };
    let total = db::tokens::count(&db, scope, &query, now).await?;
    let mut items = rows
        .into_iter()
        .map(|row| to_api(row, now))
        .collect::<Result<Vec<_>, _>>()?;
    attach_recent_agents(&db, &mut items, now).await?;
    Ok(json(
        200,
        &TokenList {
            items,
            total,
            next_cursor,
        },
    ))
}

pub fn capabilities(env: &Env) -> Result<Response, ApiError> {
    Ok(json(
        200,
        &Capabilities {
            pre_shared_tokens_enabled: preshared_enabled(env),
        },
    ))
}

pub async fn create(
    req: &mut Request,
    env: &Env,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let body: CreateTokenRequest = read_json(req).await?;
    let invalid = |m: String| ApiError::client(ErrorCode::InvalidRequest, m);
    let name = TokenName::parse(&body.name).map_err(|e| invalid(e.to_string()))?;
    let permissions = requested_permissions(&body, principal)?.to_string();
    let now = now_ms();
    let mut expires_at = match body.expires_at.as_deref() {
        None => None,
        Some(text) => {
            let at = millis_from_rfc3339(text).ok_or_else(|| {
                invalid("expiresAt must be an RFC 3339 time such as 2027-01-31T00:00:00Z".into())
            })?;
            if at <= now {
                return Err(invalid("expiresAt must be in the future".into()));
            }
            if at >= db::tokens::NEVER {
                return Err(invalid(
                    "expiresAt is too far in the future; omit it for a token that never expires"
                        .into(),
                ));
            }
            Some(at)
        }
    };
    // A token mints nothing that outlives it: a child expires no later than its parent.
    let parent = principal.token();
    let parent_expiry = parent.and_then(|t| t.expires_at);
    let capped = parent_expiry.is_some_and(|cap| expires_at.is_none_or(|at| at > cap));
    if capped {
        expires_at = parent_expiry;
    }
    let created_detail = parent.map(|t| {
        let cap = if capped {
            "; its expiry is capped at that token's"
        } else {
            ""
        };
        format!("with the token \"{}\"{cap}", t.name)
    });
    let (secret, source) = match body.raw_token.as_deref() {
        None => (new_token_secret(), TokenSource::User),
        Some(raw) => (preshared(env, raw)?, TokenSource::Preshared),
    };
    let db = db::database(env)?;
    // The bootstrap token belongs to the instance, not to a person: what it creates belongs
    // to the Owner, so that it can be used and managed.
    let owner_id = match &principal.user_id {
        Some(id) => id.clone(),
        None => db::users::owner(&db)
            .await?
            .ok_or_else(|| {
                ApiError::client(
                    ErrorCode::NoOwner,
                    "this instance has no Owner yet, so the token would belong to nobody: create the Owner first (POST /api/auth/setup)",
                )
            })?
            .id,
    };
    let hash = secret.hash();
    let id = TokenId::from_uuid(new_uuid());
    let new = NewToken {
        id,
        name: name.as_str(),
        token_hash: hash.as_str(),
        last4: secret.last4(),
        permissions: &permissions,
        source: source.as_str(),
        created_at: now,
        expires_at,
        owner_id: Some(&owner_id),
        ceiling_role: principal.role,
        created_by: Some(&principal.actor),
        created_detail: created_detail.as_deref(),
    };
    match db::tokens::insert(&db, &new).await {
        Ok(()) => {}
        Err(InsertError::NameTaken) => {
            return Err(ApiError::client(
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
    let row = db::tokens::get(&db, id, None)
        .await?
        .ok_or_else(|| ApiError::Internal("token vanished right after insert".into()))?;
    let token = to_api(row, now_ms())?;
    Ok(json(
        201,
        &CreatedToken {
            token,
            secret: secret.expose().to_owned(),
        },
    ))
}

pub async fn get(env: &Env, principal: &Principal, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let db = db::database(env)?;
    let row = db::tokens::get(&db, id, principal.token_scope())
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut token = [to_api(row, now_ms())?];
    attach_recent_agents(&db, &mut token, now_ms()).await?;
    let [token] = token;
    Ok(json(200, &token))
}

/// Fills `recentAgents`: the agents whose heartbeat used each token in the last 24 hours,
/// so the bulk-delete warning can name what would break.
async fn attach_recent_agents(
    db: &worker::D1Database,
    tokens: &mut [Token],
    now: i64,
) -> Result<(), ApiError> {
    if tokens.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
    let ids_json = serde_json::to_string(&ids).map_err(|e| ApiError::Internal(e.to_string()))?;
    for row in db::agents::recent_for(db, &ids_json, now - 86_400_000).await? {
        if let Some(token) = tokens.iter_mut().find(|t| t.id == row.token_id) {
            token.recent_agents.push(row.id);
        }
    }
    Ok(())
}

pub async fn history(env: &Env, principal: &Principal, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let db = db::database(env)?;
    db::tokens::get(&db, id, principal.token_scope())
        .await?
        .ok_or_else(|| not_found(id))?;
    let items = db::tokens::events(&db, id)
        .await?
        .into_iter()
        .map(|e| {
            Ok(TokenEvent {
                id: e.id.to_string(),
                kind: EventKind::parse(&e.kind).ok_or_else(|| {
                    ApiError::Internal(format!("unknown event kind {:?}", e.kind))
                })?,
                at: rfc3339_from_millis(e.at).unwrap_or_default(),
                actor: e.actor,
                detail: e.detail,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(json(200, &EventList { items }))
}

/// Revocation is immediate and irreversible; the token stays listed as Revoked for the audit
/// trail. A second revoke is 409 so a script learns it changed nothing.
pub async fn revoke(env: &Env, principal: &Principal, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let db = db::database(env)?;
    let scope = principal.token_scope();
    if !db::tokens::revoke(&db, id, scope, now_ms(), &principal.actor).await? {
        return Err(match db::tokens::get(&db, id, scope).await? {
            None => not_found(id),
            Some(_) => ApiError::client(
                ErrorCode::AlreadyRevoked,
                format!("token {id} is already revoked"),
            ),
        });
    }
    let row = db::tokens::get(&db, id, scope)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(json(200, &to_api(row, now_ms())?))
}

/// Owner and Administrator move a token to another user; its effective permissions narrow
/// to that user's role from the next request on.
pub async fn reassign(
    req: &mut Request,
    env: &Env,
    principal: &Principal,
    raw_id: &str,
) -> Result<Response, ApiError> {
    require_reassigner(principal)?;
    let id = token_id(raw_id)?;
    let body: ReassignRequest = read_json(req).await?;
    let db = db::database(env)?;
    let token = db::tokens::get(&db, id, None)
        .await?
        .ok_or_else(|| not_found(id))?;
    let target = new_owner(&db, &body.user_id, principal.role).await?;
    let detail = format!(
        "from {} to {}",
        token.owner_name.as_deref().unwrap_or("the instance"),
        target.display_name
    );
    if !db::tokens::reassign(&db, id, &target.id, now_ms(), &principal.actor, &detail).await? {
        return Err(not_found(id));
    }
    let row = db::tokens::get(&db, id, None)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(json(200, &to_api(row, now_ms())?))
}

pub async fn delete(env: &Env, principal: &Principal, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let db = db::database(env)?;
    // Another user's token is "not found" for a Manager: its existence is not theirs to learn.
    if db::tokens::delete(&db, id, principal.token_scope()).await? {
        Ok(no_content())
    } else {
        Err(not_found(id))
    }
}

pub async fn bulk_delete(
    req: &mut Request,
    env: &Env,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let body: BulkRequest = read_json(req).await?;
    let ids = bulk_ids(&body.ids)?;
    let n = run_bulk(env, principal, &ids, BulkChange::Delete).await?;
    Ok(json(200, &BulkDeleted { deleted: n }))
}

pub async fn bulk_revoke(
    req: &mut Request,
    env: &Env,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let body: BulkRequest = read_json(req).await?;
    let ids = bulk_ids(&body.ids)?;
    let n = run_bulk(
        env,
        principal,
        &ids,
        BulkChange::Revoke {
            by: &principal.actor,
        },
    )
    .await?;
    Ok(json(200, &BulkRevoked { revoked: n }))
}

pub async fn bulk_reassign(
    req: &mut Request,
    env: &Env,
    principal: &Principal,
) -> Result<Response, ApiError> {
    require_reassigner(principal)?;
    let body: BulkReassignRequest = read_json(req).await?;
    let ids = bulk_ids(&body.ids)?;
    let target = new_owner(&db::database(env)?, &body.user_id, principal.role).await?;
    let detail = format!("to {}", target.display_name);
    let change = BulkChange::Reassign {
        to_user: &target.id,
        by: &principal.actor,
        detail: &detail,
    };
    let n = run_bulk(env, principal, &ids, change).await?;
    Ok(json(200, &BulkReassigned { reassigned: n }))
}

/// Validates a bulk id list: 1 to 1,000 distinct UUIDs, naming the offenders otherwise.
fn bulk_ids(raw: &[String]) -> Result<Vec<TokenId>, ApiError> {
    let invalid = |m: String| ApiError::client(ErrorCode::InvalidRequest, m);
    if raw.is_empty() || raw.len() > MAX_BULK {
        return Err(invalid(format!(
            "ids must name 1 to {MAX_BULK} tokens; this request names {}",
            raw.len()
        )));
    }
    let malformed: Vec<&str> = raw
        .iter()
        .filter(|r| TokenId::parse(r).is_none())
        .map(String::as_str)
        .collect();
    if !malformed.is_empty() {
        return Err(ApiError::client(
            ErrorCode::InvalidId,
            format!("these ids are not UUIDs: {}", list_some(&malformed)),
        ));
    }
    let ids: Vec<TokenId> = raw.iter().filter_map(|r| TokenId::parse(r)).collect();
    let mut seen = std::collections::HashSet::new();
    let repeated: Vec<String> = ids
        .iter()
        .filter(|id| !seen.insert(**id))
        .map(ToString::to_string)
        .collect();
    if !repeated.is_empty() {
        return Err(invalid(format!(
            "each id may appear once; repeated: {}",
            list_some(&repeated)
        )));
    }
    Ok(ids)
}

/// Checks every id first, so a refusal names exactly the ids at fault, then applies the
/// change atomically (the guard inside the batch covers anything that changed in between).
async fn run_bulk(
    env: &Env,
    principal: &Principal,
    ids: &[TokenId],
    change: BulkChange<'_>,
) -> Result<u64, ApiError> {
    let db = db::database(env)?;
    let scope = principal.token_scope();
    let ids_json = serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let found = db::tokens::existing(&db, &ids_json, scope).await?;
    let found_ids: std::collections::HashSet<&str> = found.iter().map(|r| r.id.as_str()).collect();
    let missing: Vec<String> = ids
        .iter()
        .map(ToString::to_string)
        .filter(|id| !found_ids.contains(id.as_str()))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::client(
            ErrorCode::TokenNotFound,
            format!(
                "nothing was changed: {} of the ids match no token you can manage: {}",
                missing.len(),
                list_some(&missing)
            ),
        ));
    }
    if matches!(change, BulkChange::Revoke { .. }) {
        let revoked: Vec<&str> = found
            .iter()
            .filter(|r| r.revoked_at.is_some())
            .map(|r| r.id.as_str())
            .collect();
        if !revoked.is_empty() {
            return Err(ApiError::client(
                ErrorCode::AlreadyRevoked,
                format!(
                    "nothing was changed: {} of the tokens are already revoked: {}",
                    revoked.len(),
                    list_some(&revoked)
                ),
            ));
        }
    }
    if !db::tokens::bulk(&db, &ids_json, ids.len(), scope, now_ms(), change).await? {
        return Err(ApiError::client(
            ErrorCode::TokenNotFound,
            "nothing was changed: some of the tokens changed while this request ran; reload and try again",
        ));
    }
    Ok(ids.len() as u64)
}

/// Only Owner and Administrator move tokens; refused before anything is looked up.
fn require_reassigner(principal: &Principal) -> Result<(), ApiError> {
    if may_reassign(principal.role) {
        Ok(())
    } else {
        Err(ApiError::forbidden(ReassignRefusal::NotAllowed.to_string()))
    }
}

/// The user a token moves to: an existing, enabled user who may hold tokens and whose role
/// does not outrank the caller's (`shared::roles::may_reassign_to`).
async fn new_owner(
    db: &worker::D1Database,
    raw: &str,
    caller: Role,
) -> Result<db::users::UserRow, ApiError> {
    let id = UserId::parse(raw).ok_or_else(|| {
        ApiError::client(ErrorCode::InvalidId, "userId must be a user id (a UUID)")
    })?;
    let user = db::users::by_id(db, id).await?.ok_or_else(|| {
        ApiError::client(
            ErrorCode::UserNotFound,
            format!("there is no user with id {id}"),
        )
    })?;
    let role = Role::parse(&user.role).ok_or_else(|| {
        ApiError::Internal(format!("user {} has unknown role {:?}", user.id, user.role))
    })?;
    match may_reassign_to(caller, role) {
        Ok(()) => {}
        Err(ReassignRefusal::CannotHoldTokens) => {
            return Err(ApiError::client(
                ErrorCode::InvalidRequest,
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
    if user.disabled == 1 {
        return Err(ApiError::client(
            ErrorCode::InvalidRequest,
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
    let secret = TokenSecret::parse(raw).map_err(|e| {
        ApiError::client(
            ErrorCode::InvalidRequest,
            format!("rawToken is not a valid token string: {e}"),
        )
    })?;
    if crate::auth::is_bootstrap(env, &secret) {
        return Err(value_taken());
    }
    Ok(secret)
}

fn value_taken() -> ApiError {
    ApiError::client(
        ErrorCode::TokenValueConflict,
        "that token string is already in use; choose another",
    )
}

/// The permissions a new token gets: the preset or the string (not both), the Telegraf Agent
/// preset when neither is given, and never more than the creator's own credential holds.
fn requested_permissions(
    body: &CreateTokenRequest,
    principal: &Principal,
) -> Result<Permissions, ApiError> {
    let invalid = |m: String| ApiError::client(ErrorCode::InvalidRequest, m);
    let wanted = match (&body.permissions, body.preset) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "send either permissions or preset, not both".into(),
            ))
        }
        (Some(text), None) => Permissions::parse(text).map_err(|e| invalid(e.to_string()))?,
        (None, Some(Preset::FullAccess)) => principal.permissions,
        (None, Some(Preset::TelegrafAgent) | None) => Permissions::telegraf_agent(),
    };
    if !wanted.is_subset_of(principal.permissions) {
        return Err(ApiError::client(
            ErrorCode::PermissionExceedsRole,
            format!(
                "a token cannot have more than its creator: you may grant at most {}",
                principal.permissions
            ),
        ));
    }
    Ok(wanted)
}

fn not_found(id: TokenId) -> ApiError {
    ApiError::client(
        ErrorCode::TokenNotFound,
        format!("there is no token with id {id}"),
    )
}

/// The first ten items, and how many more.
fn list_some<T: AsRef<str>>(items: &[T]) -> String {
    let shown: Vec<&str> = items.iter().take(10).map(AsRef::as_ref).collect();
    let more = items.len().saturating_sub(10);
    let shown = shown
        .iter()
        .map(|s| s.chars().take(40).collect::<String>())
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        format!("{shown} and {more} more")
    } else {
        shown
    }
}

fn to_api(row: TokenRow, now: i64) -> Result<Token, ApiError> {
    let source = TokenSource::parse(&row.source).ok_or_else(|| {
        ApiError::Internal(format!(
            "token {} has unknown source {:?}",
            row.id, row.source
        ))
    })?;
    let at = |ms: Option<i64>| ms.and_then(rfc3339_from_millis);
    Ok(Token {
        status: TokenStatus::derive(row.revoked_at, row.expires_at, now),
        created_at: rfc3339_from_millis(row.created_at).unwrap_or_default(),
        expires_at: at(row.expires_at),
        revoked_at: at(row.revoked_at),
        last_used_at: at(row.last_used_at),
        id: row.id,
        name: row.name,
        hint: hint_from_last4(&row.last4),
        owner_id: row.owner_id,
        owner_name: row.owner_name,
        permissions: row.permissions,
        source,
        created_by: row.created_by,
        revoked_by: row.revoked_by,
        last_used_ip: row.last_used_ip,
        last_used_agent: row.last_used_agent,
        recent_agents: Vec::new(),
    })
}
