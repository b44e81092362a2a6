//! `/api/tokens`: list, create and delete API tokens.

use crate::auth::Principal;
use crate::db::{self, tokens::{InsertError, NewToken, TokenRow}};
use crate::error::ApiError;
use crate::http::{json, no_content, read_json, token_id};
use crate::platform::{new_token_secret, new_uuid, now_ms};
use shared::api::{CreateTokenRequest, CreatedToken, Preset, Token, TokenList};
use shared::permissions::{Action, Resource};
use shared::permissions::Permissions;
use shared::time::rfc3339_from_millis;
use shared::token::hint_from_last4;
use shared::{ErrorCode, TokenId, TokenName, TokenSource, TokenStatus};
use worker::{Env, Request, Response};

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

pub async fn list(req: &Request, env: &Env, principal: &Principal) -> Result<Response, ApiError> {
    principal.require(Resource::Tokens, Action::Read)?;
    let query = ListQuery::parse(req)?;
    let db = db::database(env)?;
    let scope = principal.token_scope();
    let after = query.cursor.as_ref().map(|(at, id)| (*at, id.as_str()));
    // One row more than asked tells whether another page exists without a second query.
    let mut rows = db::tokens::list_page(&db, scope, query.limit + 1, after).await?;
    let next_cursor = if rows.len() > query.limit as usize {
        rows.truncate(query.limit as usize);
        rows.last().map(|last| format!("{}.{}", last.created_at, last.id))
    } else {
        None
    };
    let total = db::tokens::count(&db, scope).await?;
    let now = now_ms();
    let items = rows.into_iter().map(|row| to_api(row, now)).collect::<Result<_, _>>()?;
    Ok(json(200, &TokenList { items, total, next_cursor }))
}

pub async fn create(req: &mut Request, env: &Env, principal: &Principal) -> Result<Response, ApiError> {
    principal.require(Resource::Tokens, Action::Write)?;
    let body: CreateTokenRequest = read_json(req).await?;
    let name = TokenName::parse(&body.name)
        .map_err(|e| ApiError::client(ErrorCode::InvalidRequest, e.to_string()))?;
    let permissions = requested_permissions(&body, principal)?.to_string();
    let secret = new_token_secret();
    let id = TokenId::from_uuid(new_uuid());
    let hash = secret.hash();
    let new = NewToken {
        id,
        name: name.as_str(),
        token_hash: hash.as_str(),
        last4: secret.last4(),
        permissions: &permissions,
        source: TokenSource::User.as_str(),
        created_at: now_ms(),
        expires_at: None,
        owner_id: principal.user_id.as_deref(),
        created_by: Some(&principal.actor),
    };
    let db = db::database(env)?;
    match db::tokens::insert(&db, &new).await {
        Ok(()) => {}
        Err(InsertError::NameTaken) => {
            return Err(ApiError::client(
                ErrorCode::TokenNameConflict,
                format!("a token named \"{}\" already exists; choose another name", name.as_str()),
            ))
        }
        // 256 random bits colliding means the CSPRNG is broken: that is our fault, not the caller's.
        Err(InsertError::ValueTaken) => return Err(ApiError::Internal("generated token collided".into())),
        Err(InsertError::Db(e)) => return Err(e.into()),
    }
    let row = db::tokens::get(&db, id, None)
        .await?
        .ok_or_else(|| ApiError::Internal("token vanished right after insert".into()))?;
    let token = to_api(row, now_ms())?;
    Ok(json(201, &CreatedToken { token, secret: secret.expose().to_owned() }))
}

pub async fn delete(env: &Env, principal: &Principal, raw_id: &str) -> Result<Response, ApiError> {
    principal.require(Resource::Tokens, Action::Delete)?;
    let id = token_id(raw_id)?;
    let db = db::database(env)?;
    // Another user's token is "not found" for a Manager: its existence is not theirs to learn.
    if db::tokens::delete(&db, id, principal.token_scope()).await? {
        Ok(no_content())
    } else {
        Err(not_found(id))
    }
}

/// Revocation is immediate and irreversible; the token stays listed as Revoked for the audit
/// trail. A second revoke is 409 so a script learns it changed nothing.
pub async fn revoke(env: &Env, principal: &Principal, raw_id: &str) -> Result<Response, ApiError> {
    principal.require(Resource::Tokens, Action::Write)?;
    let id = token_id(raw_id)?;
    let db = db::database(env)?;
    let scope = principal.token_scope();
    if !db::tokens::revoke(&db, id, scope, now_ms(), &principal.actor).await? {
        return Err(match db::tokens::get(&db, id, scope).await? {
            None => not_found(id),
            Some(_) => ApiError::client(ErrorCode::AlreadyRevoked, format!("token {id} is already revoked")),
        });
    }
    let row = db::tokens::get(&db, id, scope).await?.ok_or_else(|| not_found(id))?;
    Ok(json(200, &to_api(row, now_ms())?))
}

/// The permissions a new token gets: the preset or the string (not both), the Telegraf Agent
/// preset when neither is given, and never more than the creator's own credential holds.
fn requested_permissions(body: &CreateTokenRequest, principal: &Principal) -> Result<Permissions, ApiError> {
    let invalid = |m: String| ApiError::client(ErrorCode::InvalidRequest, m);
    let wanted = match (&body.permissions, body.preset) {
        (Some(_), Some(_)) => return Err(invalid("send either permissions or preset, not both".into())),
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
    ApiError::client(ErrorCode::TokenNotFound, format!("there is no token with id {id}"))
}

struct ListQuery {
    limit: u32,
    cursor: Option<(i64, String)>,
}

impl ListQuery {
    fn parse(req: &Request) -> Result<Self, ApiError> {
        let bad = |message: String| ApiError::client(ErrorCode::InvalidRequest, message);
        let url = req.url()?;
        let mut query = Self { limit: DEFAULT_PAGE, cursor: None };
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "limit" => {
                    query.limit = value
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE).contains(n))
                        .ok_or_else(|| bad(format!("limit must be a whole number from 1 to {MAX_PAGE}")))?;
                }
                "cursor" => {
                    let parsed = value.split_once('.').and_then(|(at, id)| {
                        Some((at.parse::<i64>().ok()?, TokenId::parse(id)?.to_string()))
                    });
                    query.cursor = Some(parsed.ok_or_else(|| {
                        bad("cursor must be a nextCursor value from an earlier page".to_owned())
                    })?);
                }
                other => {
                    let shown: String = other.chars().take(50).collect();
                    return Err(bad(format!("unknown query parameter \"{shown}\"; this list accepts limit and cursor")));
                }
            }
        }
        Ok(query)
    }
}

fn to_api(row: TokenRow, now: i64) -> Result<Token, ApiError> {
    let source = TokenSource::parse(&row.source)
        .ok_or_else(|| ApiError::Internal(format!("token {} has unknown source {:?}", row.id, row.source)))?;
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
    })
}
