//! Who is calling: a session cookie or an API token becomes a typed [`Principal`] before any
//! handler runs. Handlers receive the principal; they never look at credentials themselves.

use crate::browser::session_cookie_value;
use crate::context::Ctx;
use crate::db;
use crate::db::tokens::NewToken;
use crate::db::tokens::TokenRow;
use crate::db::users::UserRow;
use crate::error::ApiError;
use crate::platform::new_uuid;
use shared::account::slide_session;
use shared::addresses::{self, ADDRESS_REFUSED};
use shared::permissions::Permissions;
use shared::roles::model::{
    previous_secret_may, INVALID_TOKEN, NO_AGENT_CREDENTIAL, NO_CREDENTIAL, SECRET_REPLACED,
};
use shared::roles::{acting_role, effective_permissions, Role};
use shared::routes::Access;
use shared::throttle::{retry_after_secs, INVALID_TOKENS_PER_WINDOW, INVALID_TOKEN_WINDOW_MS};
use shared::time::Timestamp;
use shared::token::{sha256_hex, TokenHash, TokenSecret};
use shared::token_scope::ConfigScope;
use shared::{ErrorCode, TokenId, TokenSource};
use worker::{D1Database, Env, Request};

/// The description the bootstrap token is listed under (Telegraf Controller's).
pub const BOOTSTRAP_TOKEN_NAME: &str = "bootstrap-token";

use crate::principal::{Credential, Principal, TokenCredential};

/// Authenticates the request for a route of `access` (not an agent route): an `Authorization`
/// header wins over the cookie (scripts send both rarely, and then mean the token). The secret
/// a rotation replaced is an agent credential only (`shared::roles::model`): here it is
/// refused, whatever the token could do.
pub async fn authenticate(cx: &Ctx<'_, ()>, access: Access) -> Result<Principal, ApiError> {
    if let Some(header) = authorization(cx) {
        let presented = presentation(cx, Some(header)).await?;
        let found = db::token_auth::find(&cx.db, presented.hash.as_str()).await?;
        let who = judge(cx, &presented, found).await?.0;
        if who.token().is_some_and(|t| t.via_previous) && !previous_secret_may(access) {
            return Err(token_refused(SECRET_REPLACED));
        }
        return Ok(who);
    }
    if let Some(value) = session_cookie_value(cx.req) {
        return authenticate_session(&value, &cx.db, cx.now).await;
    }
    Err(ApiError::client(ErrorCode::Unauthenticated, NO_CREDENTIAL))
}

/// The request's `Authorization` header, if any.
pub fn authorization(cx: &Ctx<'_, ()>) -> Option<String> {
    cx.req.headers().get("Authorization").ok().flatten()
}

/// A token string presented in `Authorization`, of the right form: its hash, and
/// `OWNER_TOKEN`'s when that holds a token string.
pub struct Presentation {
    secret: TokenSecret,
    pub hash: TokenHash,
    pub configured: Option<TokenHash>,
}

fn token_refused(message: &str) -> ApiError {
    ApiError::token_refused(message)
}

/// Reads the presented token (SPEC 5's messages when there is none or it is malformed; a
/// malformed one counts against the address). Costs no query for a well-formed one.
pub async fn presentation(
    cx: &Ctx<'_, ()>,
    header: Option<String>,
) -> Result<Presentation, ApiError> {
    let header = header.ok_or_else(|| token_refused(NO_AGENT_CREDENTIAL))?;
    let (scheme, value) = header.trim().split_once(' ').unwrap_or((&header, ""));
    if !(scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        || value.trim().is_empty()
    {
        return Err(token_refused(NO_AGENT_CREDENTIAL));
    }
    let Ok(secret) = TokenSecret::parse(value.trim()) else {
        if is_malformed_owner_token(cx.env, value.trim()) {
            return Err(ApiError::misconfigured(
                "OWNER_TOKEN is not a token string (tc-apiv1_ and 64 lowercase hex digits): the bootstrap token works once it is one",
            ));
        }
        return Err(invalid_presentation(cx.req, &cx.db, cx.now, "Invalid token format").await);
    };
    Ok(Presentation {
        hash: secret.hash(),
        configured: configured_owner_token(cx.env)
            .as_ref()
            .map(TokenSecret::hash),
        secret,
    })
}

/// What the lookup by the presented hash found, judged by SPEC 5: the principal, and whether
/// this request installed the bootstrap token (what ran beside the lookup then found no
/// token, and runs again). Only an invalid token pays for the per-address count.
pub async fn judge(
    cx: &Ctx<'_, ()>,
    presented: &Presentation,
    found: Option<TokenRow>,
) -> Result<(Principal, bool), ApiError> {
    let (db, now, hash) = (&cx.db, cx.now, &presented.hash);
    let configured = presented.configured.as_ref();
    let (row, installed) = match found {
        // While OWNER_TOKEN holds a value, a bootstrap token with any other string was
        // replaced: it is revoked on its next request, for good (TC's rotation rule).
        Some(row)
            if row.source == TokenSource::Bootstrap && configured.is_some_and(|c| c != hash) =>
        {
            if row.revoked_at.is_none() {
                db::token_auth::supersede_bootstrap(db, row.id, now).await?;
            }
            return Err(token_refused("Token revoked"));
        }
        Some(row) => (row, false),
        None if configured == Some(hash) => {
            let row = install_bootstrap(db, &presented.secret, now)
                .await?
                .ok_or_else(|| token_refused(INVALID_TOKEN))?;
            (row, true)
        }
        None => return Err(invalid_presentation(cx.req, db, now, INVALID_TOKEN).await),
    };
    if let Some(refusal) = row.presented_status(now).refusal() {
        // The lookup read when the last refusal was recorded: within the minute, nothing is
        // written and no query is sent.
        if refusal_due(row.last_refused_at, now) {
            record_refusal(cx.req, db, row.id, now, refusal).await;
        }
        return Err(token_refused(refusal));
    }
    // A token with an allow-list works only from its blocks (the heartbeat's guard says the
    // same in SQL): from elsewhere it is refused, and the refusal kept like the others.
    let client = addresses::client_bits(crate::http::client_ip(cx.req).as_deref());
    if !addresses::allows(row.allowed_addresses().as_deref(), client.as_deref()) {
        if refusal_due(row.last_refused_at, now) {
            record_refusal(cx.req, db, row.id, now, ADDRESS_REFUSED).await;
        }
        return Err(token_refused(ADDRESS_REFUSED));
    }
    Ok((token_principal(row)?, installed))
}

/// Turns a token that works (its status was checked by the caller) into a principal.
fn token_principal(row: TokenRow) -> Result<Principal, ApiError> {
    // An ownerless token that is not the bootstrap token acts as nobody.
    let role = acting_role(row.owner_role, row.ceiling_role, row.source)
        .ok_or_else(|| token_refused(INVALID_TOKEN))?;
    let granted = row.permissions;
    Ok(Principal {
        user_id: row.owner_id,
        username: row.owner_username.clone(),
        role,
        permissions: effective_permissions(granted, role),
        credential: Credential::Token(TokenCredential {
            config_scope: row.config_scope(),
            id: row.id,
            name: row.name,
            expires_at: row.expires_at.map(Timestamp::millis),
            last_used_at: row.last_used_at.map(Timestamp::millis),
            via_previous: row.via_previous,
            previous_last_used_at: row.previous_last_used_at.map(Timestamp::millis),
            last_refused_at: row.last_refused_at,
        }),
    })
}

/// Whether a refusal is to be recorded: at most one a minute per token.
fn refusal_due(last_refused_at: Option<i64>, now: i64) -> bool {
    last_refused_at.is_none_or(|at| at <= now - db::token_auth::LAST_USED_EVERY_MS)
}

/// Records that the token a request presented was refused after it authenticated (a
/// configuration outside its scope), as a refusal of the token itself is: in its history and
/// on its agents, at most once a minute.
pub async fn record_token_refusal(cx: &Ctx<'_>, refusal: &str) {
    if let Some(token) = cx.who.token() {
        if refusal_due(token.last_refused_at, cx.now) {
            record_refusal(cx.req, &cx.db, token.id, cx.now, refusal).await;
        }
    }
}

/// Keeps the refusal in the token's history and on the agents that use it; a failure to write
/// it is logged and does not change the answer.
async fn record_refusal(req: &Request, db: &D1Database, id: TokenId, now: i64, refusal: &str) {
    let ip = crate::http::client_ip(req);
    let detail = match req.headers().get("User-Agent").ok().flatten() {
        Some(agent) => format!(
            "{refusal} ({})",
            agent.chars().take(200).collect::<String>()
        ),
        None => refusal.to_owned(),
    };
    if let Err(e) = db::token_auth::record_refusal(db, id, now, ip.as_deref(), &detail).await {
        worker::console_error!("recording a token refusal failed: {e}");
    }
}

/// A malformed or unknown token: counted against the client's address, and answered with
/// 429 once the address has presented too many in the window.
async fn invalid_presentation(req: &Request, db: &D1Database, now: i64, message: &str) -> ApiError {
    let address = crate::http::client_key(req);
    match db::token_failures::count(db, &address, now).await {
        Ok(c) if c.count > INVALID_TOKENS_PER_WINDOW => ApiError::Throttled {
            message: format!(
                "{message}; this address has presented too many invalid tokens, try again later"
            ),
            retry_after_secs: retry_after_secs(c.window_start, INVALID_TOKEN_WINDOW_MS, now),
        },
        Ok(_) => token_refused(message),
        Err(e) => e.into(),
    }
}

/// `OWNER_TOKEN`, when it holds a valid token string.
fn configured_owner_token(env: &Env) -> Option<TokenSecret> {
    TokenSecret::parse(crate::platform::setting(env, "OWNER_TOKEN")?.trim()).ok()
}

/// Whether `presented`, not a token string, is what `OWNER_TOKEN` holds: the operator set it
/// to something that cannot be a token, and whoever presents it (who knows the value) is told
/// so. Only a malformed presentation pays for this.
fn is_malformed_owner_token(env: &Env, presented: &str) -> bool {
    crate::platform::setting(env, "OWNER_TOKEN").is_some_and(|configured| {
        TokenSecret::parse(configured.trim()).is_err()
            && shared::account::constant_time_eq(configured.trim().as_bytes(), presented.as_bytes())
    })
}

/// Whether `presented` is `OWNER_TOKEN`'s value (compared by hash, in constant time).
pub fn is_bootstrap(env: &Env, presented: &TokenSecret) -> bool {
    configured_owner_token(env).is_some_and(|owner| same_hash(&owner.hash(), &presented.hash()))
}

fn same_hash(a: &TokenHash, b: &TokenHash) -> bool {
    shared::account::constant_time_eq(a.as_str().as_bytes(), b.as_str().as_bytes())
}

/// The configured value presented with no token of its hash: new, changed, or deleted by hand
/// (SPEC 3: deleting it lasts only until it is next presented).
async fn install_bootstrap(
    db: &D1Database,
    secret: &TokenSecret,
    now: i64,
) -> Result<Option<TokenRow>, ApiError> {
    let hash = secret.hash();
    let permissions = Permissions::ALL.to_string();
    let all = ConfigScope::All;
    let new = NewToken {
        id: TokenId::from_uuid(new_uuid()),
        name: BOOTSTRAP_TOKEN_NAME,
        token_hash: hash.as_str(),
        last4: secret.last4(),
        permissions: &permissions,
        source: TokenSource::Bootstrap,
        created_at: now,
        expires_at: None,
        owner_id: None,
        ceiling_role: Role::Owner,
        created_detail: None,
        config_scope: &all,
        allowed_addresses: None,
    };
    Ok(db::token_auth::install_bootstrap(db, &new, now).await?)
}

async fn authenticate_session(
    value: &str,
    db: &D1Database,
    now: i64,
) -> Result<Principal, ApiError> {
    let ended = || {
        ApiError::client(
            ErrorCode::Unauthenticated,
            "your session has ended; sign in again",
        )
    };
    let id_hash = sha256_hex(value.as_bytes());
    let row = db::sessions::find(db, &id_hash, now)
        .await?
        .ok_or_else(ended)?;
    if row.user.disabled {
        return Err(ended());
    }
    let renewed_until = slide_session(
        row.session_created_at.millis(),
        row.session_expires_at.millis(),
        now,
    );
    if let Some(until) = renewed_until {
        db::sessions::extend(db, &id_hash, until).await?;
    }
    let user = row.user;
    Ok(user_principal(
        &user,
        Credential::Session {
            id_hash,
            renewed_until,
        },
    ))
}

fn user_principal(user: &UserRow, credential: Credential) -> Principal {
    Principal {
        user_id: Some(user.id),
        username: Some(user.username.clone()),
        role: user.role,
        permissions: user.role.permissions(),
        credential,
    }
}
