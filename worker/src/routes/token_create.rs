//! `POST /api/tokens` and what it may do here: a generated or pre-shared token, its
//! permissions within the creator's reach, its expiry within the creating token's and the
//! organisation's lifetime policy.

use super::tokens::to_api;
use crate::context::Ctx;
use crate::db::{
    self,
    tokens::{InsertError, NewToken},
};
use crate::error::ApiError;
use crate::http::read_json;
use crate::platform::{new_token_secret, new_uuid};
use crate::principal::Principal;
use crate::response::json;
use shared::api::{Capabilities, CreateTokenRequest, CreatedToken, Preset};
use shared::expiry::new_token_expiry;
use shared::permissions::Permissions;
use shared::token::TokenSecret;
use shared::{ErrorCode, TokenId, TokenName, TokenSource};
use worker::{Env, Response};

pub fn capabilities(cx: &Ctx<'_>) -> Result<Response, ApiError> {
    Ok(json(
        200,
        &Capabilities {
            pre_shared_tokens_enabled: preshared_enabled(cx.env)?,
        },
    ))
}

/// The "created" event's detail for a child token whose expiry was capped.
const CAPPED_AT_PARENT: &str = "its expiry is capped at that of the token that created it";

pub async fn create(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let body: CreateTokenRequest = read_json(cx.req).await?;
    let name = TokenName::parse(&body.name)?;
    let permissions = requested_permissions(&body, &cx.who)?.to_string();
    let config_scope = super::token_scope::requested(cx, body.config_scope.as_deref()).await?;
    let blocks = super::token_scope::address_blocks(body.allowed_addresses.as_deref())?;
    // A token mints nothing that outlives it: a child expires no later than its parent.
    let parent = cx.who.token();
    let expiry = new_token_expiry(
        body.expires_at.as_deref(),
        cx.now,
        parent.and_then(|t| t.expires_at),
    )
    .map_err(|e| ApiError::invalid(e.to_string()))?;
    // The organisation's lifetime policy binds every new token, a child of a token too: a
    // parent made before the policy does not hand its lifetime on.
    let policy = db::token_policy::get(&cx.db).await?.policy;
    if !policy.allows(expiry.at, cx.now) {
        return Err(ApiError::client(
            ErrorCode::BeyondTokenPolicy,
            policy.refuse_new(expiry.at, cx.now),
        ));
    }
    // The creating token is the event's actor, by reference: its name is never copied here,
    // so deleting it leaves nothing of it in this token's history.
    let created_detail = (parent.is_some() && expiry.capped).then_some(CAPPED_AT_PARENT);
    let (secret, source) = match body.raw_token.as_deref() {
        None => (new_token_secret(), TokenSource::User),
        Some(raw) => (preshared(cx.env, raw)?, TokenSource::Preshared),
    };
    // The bootstrap token belongs to the instance, not to a person: what it creates belongs
    // to the Owner, so that it can be used and managed.
    let owner_id = match cx.who.user_id {
        Some(id) => id,
        None => db::users::owner(&cx.db)
            .await?
            .ok_or_else(|| {
                ApiError::conflict(
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
        source,
        created_at: cx.now,
        expires_at: expiry.at,
        owner_id: Some(owner_id),
        ceiling_role: cx.who.role,
        created_detail,
        config_scope: &config_scope,
        allowed_addresses: blocks.as_deref(),
    };
    match db::tokens::insert(&cx.db, &new, &cx.audit_actor()).await {
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
        Err(InsertError::ScopeGone) => {
            return Err(ApiError::invalid(
                "a configuration named in configScope was deleted meanwhile; nothing was created",
            ))
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

/// Whether pre-shared token strings are accepted: `DISABLE_PRESHARED_TOKENS` unset or
/// `false`; `true` switches them off, and any other value is the operator's to fix (503), not
/// a guess either way.
fn preshared_enabled(env: &Env) -> Result<bool, ApiError> {
    let Some(value) = crate::platform::setting(env, "DISABLE_PRESHARED_TOKENS") else {
        return Ok(true);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "false" => Ok(true),
        "true" => Ok(false),
        _ => Err(ApiError::misconfigured(
            "DISABLE_PRESHARED_TOKENS is neither true nor false",
        )),
    }
}

/// A caller-supplied token string: allowed unless switched off, in the exact token format,
/// and never the bootstrap token's string.
fn preshared(env: &Env, raw: &str) -> Result<TokenSecret, ApiError> {
    if !preshared_enabled(env)? {
        return Err(ApiError::client(
            ErrorCode::PresharedTokensDisabled,
            "this instance does not accept pre-shared token strings (DISABLE_PRESHARED_TOKENS=true); omit rawToken to get a generated token",
        ));
    }
    let secret = TokenSecret::parse(raw).map_err(|e| {
        ApiError::invalid(format!(
            "the token string (rawToken) is not one this app can use: {e}"
        ))
    })?;
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
