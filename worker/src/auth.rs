//! Who is calling: a session cookie or an API token becomes a typed [`Principal`] before any
//! handler runs. Handlers receive the principal; they never look at credentials themselves.

use crate::db;
use crate::db::tokens::{AuthRow, NewToken};
use crate::db::users::UserRow;
use crate::error::ApiError;
use crate::platform::{new_uuid, now_ms};
use shared::account::{cookie_is_secure, slide_session};
use shared::permissions::{Action, Permissions, Resource};
use shared::roles::{effective_permissions, token_role, Role};
use shared::routes::Access;
use shared::throttle::{retry_after_secs, INVALID_TOKENS_PER_WINDOW, INVALID_TOKEN_WINDOW_MS};
use shared::token::{sha256_hex, TokenHash, TokenSecret};
use shared::{ErrorCode, TokenId, TokenSource, TokenStatus};
use worker::{D1Database, Env, Request};

/// The session cookie's name over plain http on localhost (development)…
pub const SESSION_COOKIE: &str = "tc_session";
/// …and everywhere else: a `__Host-` cookie is only accepted from a secure origin, for this
/// exact host and path `/`, so no subdomain or plain-http page can plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-tc_session";
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
    Token(TokenCredential),
}

/// The API token a request presented, as the lookup found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCredential {
    pub id: String,
    pub name: String,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Principal {
    /// `None` only for the bootstrap token, which belongs to the instance.
    pub user_id: Option<String>,
    /// The name written into audit fields (created by, revoked by): the username for a
    /// session; for a token, its owner's username and the token's description.
    pub actor: String,
    /// The role this credential acts with: the user's, or for a token its owner's capped by
    /// the role of the person who created it.
    pub role: Role,
    /// What this credential may do: the role's permissions, or a token's own intersected
    /// with its role.
    pub permissions: Permissions,
    pub credential: Credential,
}

impl Principal {
    /// The one place where a route's declared access is enforced; dispatch calls it once,
    /// before the handler.
    pub fn check(&self, access: Access) -> Result<(), ApiError> {
        if let Access::Person(..) = access {
            if !self.is_session() {
                return Err(ApiError::forbidden(
                    "this is a person's act: sign in and do it in the app; an API token cannot",
                ));
            }
        }
        match access.permission() {
            Some((resource, action)) => self.require(resource, action),
            None => Ok(()),
        }
    }

    /// 403 unless the credential holds `resource:action`.
    fn require(&self, resource: Resource, action: Action) -> Result<(), ApiError> {
        if self.permissions.allows(resource, action) {
            Ok(())
        } else {
            let how = match self.credential {
                Credential::Session { .. } => format!("your role ({})", self.role.label()),
                Credential::Token(_) => "this API token".to_owned(),
            };
            Err(ApiError::forbidden(format!(
                "{how} does not allow {}:{}",
                resource.as_str(),
                action.as_str()
            )))
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

    /// The presented token, when the caller used one.
    pub fn token(&self) -> Option<&TokenCredential> {
        match &self.credential {
            Credential::Token(token) => Some(token),
            Credential::Session { .. } => None,
        }
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
        return authenticate_token(req, &header, env, db).await;
    }
    if let Some(value) = session_cookie_value(req) {
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
        Some(header) => authenticate_token(req, &header, env, db).await,
        None => Err(token_refused("Missing or invalid Authorization header")),
    }
}

fn token_refused(message: &str) -> ApiError {
    ApiError::client(ErrorCode::InvalidToken, message)
}

/// The exact messages of SPEC 5. A valid token costs one indexed lookup and nothing else;
/// only an invalid one pays for the per-address count.
async fn authenticate_token(
    req: &Request,
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
    let now = now_ms();
    let Ok(secret) = TokenSecret::parse(value.trim()) else {
        return Err(invalid_presentation(req, db, now, "Invalid token format").await);
    };
    let hash = secret.hash();
    let configured = configured_owner_token(env);
    let row = match db::tokens::find_for_auth(db, hash.as_str()).await? {
        // While OWNER_TOKEN holds a value, a bootstrap token with any other string was
        // replaced: it is revoked on its next request, for good (TC's rotation rule).
        Some(row)
            if row.source == TokenSource::Bootstrap.as_str()
                && configured.as_ref().is_some_and(|c| c.hash() != hash) =>
        {
            if row.revoked_at.is_none() {
                db::tokens::supersede_bootstrap(db, &row.id, now).await?;
            }
            return Err(token_refused("Token revoked"));
        }
        Some(row) => row,
        None if configured.as_ref().is_some_and(|c| c.hash() == hash) => {
            install_bootstrap(db, &secret, now)
                .await?
                .ok_or_else(|| token_refused("Invalid token"))?
        }
        None => return Err(invalid_presentation(req, db, now, "Invalid token").await),
    };
    token_principal(row, now)
}

/// Turns a found token into a principal, or refuses it with SPEC 5's words.
fn token_principal(row: AuthRow, now: i64) -> Result<Principal, ApiError> {
    match TokenStatus::derive(row.revoked_at, row.expires_at, now) {
        TokenStatus::Revoked => return Err(token_refused("Token revoked")),
        TokenStatus::Expired => return Err(token_refused("Token expired")),
        TokenStatus::Active => {}
    }
    if row.owner_disabled == Some(1) {
        return Err(token_refused("Token owner is disabled"));
    }
    let granted = Permissions::parse(&row.permissions).unwrap_or(Permissions::NONE);
    // An unreadable ceiling acts as the least role, never the most.
    let ceiling = Role::parse(&row.ceiling_role).unwrap_or(Role::Viewer);
    let (role, actor) = match (
        row.owner_role.as_deref().and_then(Role::parse),
        TokenSource::parse(&row.source),
    ) {
        (Some(owner_role), _) => (
            token_role(owner_role, ceiling),
            format!(
                "{} (token \"{}\")",
                row.owner_username.as_deref().unwrap_or_default(),
                row.name
            ),
        ),
        (None, Some(TokenSource::Bootstrap)) => (Role::Owner, row.name.clone()),
        // An ownerless token that is not the bootstrap token can do nothing.
        (None, _) => return Err(token_refused("Invalid token")),
    };
    Ok(Principal {
        user_id: row.owner_id,
        actor,
        role,
        permissions: effective_permissions(granted, role),
        credential: Credential::Token(TokenCredential {
            id: row.id,
            name: row.name,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
        }),
    })
}

/// A malformed or unknown token: counted against the client's address, and answered with
/// 429 once the address has presented too many in the window.
async fn invalid_presentation(req: &Request, db: &D1Database, now: i64, message: &str) -> ApiError {
    let address = crate::http::client_ip(req).unwrap_or_default();
    match db::token_failures::count(db, &address, now).await {
        Ok(c) if c.count > INVALID_TOKENS_PER_WINDOW => ApiError::Throttled {
            message: format!(
                "{message}; this address has presented too many invalid tokens, try again later"
            ),
            retry_after_secs: retry_after_secs(c.window_start, INVALID_TOKEN_WINDOW_MS, now),
        },
        Ok(_) => token_refused(message),
        Err(e) => ApiError::from(e),
    }
}

/// `OWNER_TOKEN`, when it holds a valid token string.
fn configured_owner_token(env: &Env) -> Option<TokenSecret> {
    let configured = env
        .secret("OWNER_TOKEN")
        .ok()
        .map(|s| s.to_string())
        .or_else(|| env.var("OWNER_TOKEN").ok().map(|v| v.to_string()))?;
    TokenSecret::parse(configured.trim()).ok()
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
) -> Result<Option<AuthRow>, ApiError> {
    let hash = secret.hash();
    let permissions = Permissions::ALL.to_string();
    let new = NewToken {
        id: TokenId::from_uuid(new_uuid()),
        name: BOOTSTRAP_TOKEN_NAME,
        token_hash: hash.as_str(),
        last4: secret.last4(),
        permissions: &permissions,
        source: TokenSource::Bootstrap.as_str(),
        created_at: now,
        expires_at: None,
        owner_id: None,
        ceiling_role: Role::Owner,
        created_by: None,
        created_detail: None,
    };
    Ok(db::tokens::install_bootstrap(db, &new, now).await?)
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

/// Whether this request's session cookie is the `Secure`, `__Host-` one.
fn secure_request(req: &Request) -> bool {
    match req.url() {
        Ok(url) => cookie_is_secure(url.scheme(), url.host_str()),
        Err(_) => true,
    }
}

/// The name of the session cookie for this request.
pub fn session_cookie_name(req: &Request) -> &'static str {
    if secure_request(req) {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session cookie's value, read only under the name this request's scheme calls for.
pub fn session_cookie_value(req: &Request) -> Option<String> {
    cookie(req, session_cookie_name(req))
}

/// A cookie's value from the `Cookie` header.
fn cookie(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_owned())
    })
}

/// The `Set-Cookie` value for a session: HttpOnly, SameSite=Strict, Path=/, and Secure with
/// the `__Host-` prefix except over plain http on localhost, where browsers would drop it.
pub fn session_cookie(req: &Request, value: &str, max_age_ms: i64) -> String {
    let secure = if secure_request(req) { "; Secure" } else { "" };
    format!(
        "{}={value}; Max-Age={}; Path=/; HttpOnly; SameSite=Strict{secure}",
        session_cookie_name(req),
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
