//! Who is calling: a session cookie or an API token becomes a typed [`Principal`] before any
//! handler runs. Handlers receive the principal; they never look at credentials themselves.

use crate::db;
use crate::db::tokens::NewToken;
use crate::db::users::UserRow;
use crate::error::ApiError;
use crate::platform::{new_uuid, now_ms};
use shared::account::{cookie_is_secure, slide_session};
use shared::permissions::{Action, Permissions, Resource};
use shared::roles::{effective_permissions, Role};
use shared::token::{sha256_hex, TokenSecret};
use shared::{ErrorCode, TokenId, TokenSource, TokenStatus};
use worker::{D1Database, Env, Request};

pub const SESSION_COOKIE: &str = "tc_session";
/// The description the bootstrap token is listed under (Telegraf Controller's).
pub const BOOTSTRAP_TOKEN_NAME: &str = "bootstrap-token";

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The SHA-256 of the session cookie, and its new expiry if this request slid it.
    Session {
        id_hash: String,
        renewed_until: Option<i64>,
    },
    /// The token's id, and its last-used time as the lookup found it.
    Token {
        id: String,
        last_used_at: Option<i64>,
    },
}

#[derive(Debug, Clone)]
pub struct Principal {
    /// `None` only for the bootstrap token, which belongs to the instance.
    pub user_id: Option<String>,
    /// The name written into audit fields (created by, revoked by).
    pub actor: String,
    pub role: Role,
    /// What this credential may do: the role's permissions, or a token's own intersected
    /// with its owner's role.
    pub permissions: Permissions,
    pub credential: Credential,
}

impl Principal {
    /// 403 unless the credential holds `resource:action`.
    pub fn require(&self, resource: Resource, action: Action) -> Result<(), ApiError> {
        if self.permissions.allows(resource, action) {
            Ok(())
        } else {
            let how = match self.credential {
                Credential::Session { .. } => format!("your role ({})", self.role.label()),
                Credential::Token { .. } => "this API token".to_owned(),
            };
            Err(ApiError::client(
                ErrorCode::Forbidden,
                format!(
                    "{how} does not allow {}:{}",
                    resource.as_str(),
                    action.as_str()
                ),
            ))
        }
    }

    /// The owner every token query is scoped to: `None` (all tokens) for Owner and
    /// Administrator, the caller's own id for everyone else.
    pub fn token_scope(&self) -> Option<&str> {
        if self.role.sees_all_tokens() {
            None
        } else {
            // A principal without a user is the bootstrap token, whose role is Owner.
            Some(self.user_id.as_deref().unwrap_or(""))
        }
    }

    pub fn is_session(&self) -> bool {
        matches!(self.credential, Credential::Session { .. })
    }
}

/// Authenticates the request: an `Authorization` header wins over the cookie (scripts send
/// both rarely, and then mean the token).
pub async fn authenticate(
    req: &Request,
    env: &Env,
    db: &D1Database,
) -> Result<Principal, ApiError> {
    if let Some(header) = req.headers().get("Authorization").ok().flatten() {
        return authenticate_token(&header, env, db).await;
    }
    if let Some(value) = cookie(req, SESSION_COOKIE) {
        return authenticate_session(&value, db).await;
    }
    Err(ApiError::client(
        ErrorCode::Unauthenticated,
        "sign in, or send an API token as Authorization: Bearer tc-apiv1_…",
    ))
}

/// Agent endpoints take only an API token, and answer its absence with SPEC 5's words.
pub async fn authenticate_agent(
    req: &Request,
    env: &Env,
    db: &D1Database,
) -> Result<Principal, ApiError> {
    match req.headers().get("Authorization").ok().flatten() {
        Some(header) => authenticate_token(&header, env, db).await,
        None => Err(token_refused("Missing or invalid Authorization header")),
    }
}

fn token_refused(message: &str) -> ApiError {
    ApiError::client(ErrorCode::InvalidToken, message)
}

/// The exact messages of SPEC 5.
pub async fn authenticate_token(
    header: &str,
    env: &Env,
    db: &D1Database,
) -> Result<Principal, ApiError> {
    let (scheme, value) = header.trim().split_once(' ').unwrap_or((header, ""));
    if !(scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        || value.trim().is_empty()
    {
        return Err(token_refused("Missing or invalid Authorization header"));
    }
    let secret =
        TokenSecret::parse(value.trim()).map_err(|_| token_refused("Invalid token format"))?;
    let hash = secret.hash();
    let row = match db::tokens::find_for_auth(db, hash.as_str()).await? {
        Some(row) => row,
        None if is_bootstrap(env, &secret) => {
            recreate_bootstrap(db, &secret).await?;
            db::tokens::find_for_auth(db, hash.as_str())
                .await?
                .ok_or_else(|| token_refused("Invalid token"))?
        }
        None => return Err(token_refused("Invalid token")),
    };
    match TokenStatus::derive(row.revoked_at, row.expires_at, now_ms()) {
        TokenStatus::Revoked => return Err(token_refused("Token revoked")),
        TokenStatus::Expired => return Err(token_refused("Token expired")),
        TokenStatus::Active => {}
    }
    if row.owner_disabled == Some(1) {
        return Err(token_refused("Token owner is disabled"));
    }
    let granted = Permissions::parse(&row.permissions).unwrap_or(Permissions::NONE);
    let (role, actor) = match (
        row.owner_role.as_deref().and_then(Role::parse),
        TokenSource::parse(&row.source),
    ) {
        (Some(role), _) => (role, row.owner_username.clone().unwrap_or_default()),
        (None, Some(TokenSource::Bootstrap)) => (Role::Owner, BOOTSTRAP_TOKEN_NAME.to_owned()),
        // An ownerless token that is not the bootstrap token can do nothing.
        (None, _) => return Err(token_refused("Invalid token")),
    };
    Ok(Principal {
        user_id: row.owner_id,
        actor,
        role,
        permissions: effective_permissions(granted, role),
        credential: Credential::Token {
            id: row.id,
            last_used_at: row.last_used_at,
        },
    })
}

pub fn is_bootstrap(env: &Env, presented: &TokenSecret) -> bool {
    let Some(configured) = env
        .secret("OWNER_TOKEN")
        .ok()
        .map(|s| s.to_string())
        .or_else(|| env.var("OWNER_TOKEN").ok().map(|v| v.to_string()))
    else {
        return false;
    };
    match TokenSecret::parse(configured.trim()) {
        Ok(owner) => shared::account::constant_time_eq(
            owner.hash().as_str().as_bytes(),
            presented.hash().as_str().as_bytes(),
        ),
        Err(_) => false,
    }
}

/// Deleting the bootstrap token lasts only until it is presented again (SPEC 3).
async fn recreate_bootstrap(db: &D1Database, secret: &TokenSecret) -> Result<(), ApiError> {
    let hash = secret.hash();
    let permissions = Permissions::ALL.to_string();
    let new = NewToken {
        id: TokenId::from_uuid(new_uuid()),
        name: BOOTSTRAP_TOKEN_NAME,
        token_hash: hash.as_str(),
        last4: secret.last4(),
        permissions: &permissions,
        source: TokenSource::Bootstrap.as_str(),
        created_at: now_ms(),
        expires_at: None,
        owner_id: None,
        created_by: None,
    };
    db::tokens::ensure_bootstrap(db, &new).await?;
    Ok(())
}

async fn authenticate_session(value: &str, db: &D1Database) -> Result<Principal, ApiError> {
    let ended = || {
        ApiError::client(
            ErrorCode::Unauthenticated,
            "your session has ended; sign in again",
        )
    };
    let id_hash = sha256_hex(value.as_bytes());
    let now = now_ms();
    let row = db::sessions::find(db, &id_hash, now)
        .await?
        .ok_or_else(ended)?;
    if row.disabled == 1 {
        return Err(ended());
    }
    let renewed_until = slide_session(row.session_created_at, row.session_expires_at, now);
    if let Some(until) = renewed_until {
        db::sessions::extend(db, &id_hash, until).await?;
    }
    let user = row.user();
    user_principal(
        &user,
        Credential::Session {
            id_hash,
            renewed_until,
        },
    )
}

pub fn user_principal(user: &UserRow, credential: Credential) -> Result<Principal, ApiError> {
    let role = Role::parse(&user.role).ok_or_else(|| {
        ApiError::Internal(format!("user {} has unknown role {:?}", user.id, user.role))
    })?;
    Ok(Principal {
        user_id: Some(user.id.clone()),
        actor: user.username.clone(),
        role,
        permissions: role.permissions(),
        credential,
    })
}

/// A cookie's value from the `Cookie` header.
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_owned())
    })
}

/// The `Set-Cookie` value for a session: HttpOnly, SameSite=Strict, Path=/, and Secure
/// except over plain http on localhost, where browsers would drop a Secure cookie.
pub fn session_cookie(req: &Request, value: &str, max_age_ms: i64) -> String {
    let secure = match req.url() {
        Ok(url) if !cookie_is_secure(url.scheme(), url.host_str()) => "",
        _ => "; Secure",
    };
    format!(
        "{SESSION_COOKIE}={value}; Max-Age={}; Path=/; HttpOnly; SameSite=Strict{secure}",
        (max_age_ms / 1000).max(0)
    )
}

/// Changes that rely on the cookie must come from our own pages: the `Origin` header must be
/// ours or, without it, `Sec-Fetch-Site` must say same-origin. Browsers send at least one.
pub fn require_same_origin(req: &Request) -> Result<(), ApiError> {
    let refused = || {
        ApiError::client(
            ErrorCode::CrossOrigin,
            "this change was sent from another site; make it from the app itself, or use an API token",
        )
    };
    let headers = req.headers();
    if let Some(origin) = headers.get("Origin").ok().flatten() {
        let ours = req
            .url()
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        return if origin == ours {
            Ok(())
        } else {
            Err(refused())
        };
    }
    match headers.get("Sec-Fetch-Site").ok().flatten().as_deref() {
        Some("same-origin") => Ok(()),
        _ => Err(refused()),
    }
}

/// Sign-in and setup carry no cookie yet, but a login from a foreign page is still refused
/// when the browser says so.
pub fn refuse_foreign_origin(req: &Request) -> Result<(), ApiError> {
    let has_origin = req.headers().get("Origin").ok().flatten().is_some();
    let fetch_site = req.headers().get("Sec-Fetch-Site").ok().flatten();
    if has_origin
        || fetch_site
            .as_deref()
            .is_some_and(|s| s == "cross-site" || s == "same-site")
    {
        require_same_origin(req)
    } else {
        Ok(())
    }
}
