//! `/api/auth`: first-run setup, sign-in and sign-out, who am I, and one's own password.

use crate::browser;
use crate::context::Ctx;
use crate::db::{
    self,
    users::{InsertError, NewUser, UserRow},
};
use crate::error::ApiError;
use crate::http::{client_key, read_json};
use crate::password::{self, PasswordHash};
use crate::platform::{new_uuid, random_bytes};
use crate::principal::Credential;
use crate::response::{json, no_content, with_cookies, with_header};
use shared::account::{validate_display_name, validate_password, Username, SESSION_IDLE_MS};
use shared::api::{
    AuthStatus, ChangePasswordRequest, LoginRequest, SetupRequest, User, UserEnvelope,
};
use shared::roles::Role;
use shared::throttle::{
    minutes_phrase, retry_after_secs, sign_in_refusal, SignInLimit, SignInWindows,
    DEVICE_COOKIE_MS, PASSWORD_CHECKS,
};
use shared::token::{sha256_hex, to_hex};
use shared::{ErrorCode, UserId};
use worker::{D1PreparedStatement, Response};

pub async fn status(cx: &Ctx<'_, ()>) -> Result<Response, ApiError> {
    let setup_required = !db::users::exists_any(&cx.db).await?;
    Ok(json(200, &AuthStatus { setup_required }))
}

/// Creates the Owner, only while no user exists, and signs them in.
pub async fn setup(cx: &mut Ctx<'_, ()>) -> Result<Response, ApiError> {
    browser::refuse_foreign_origin(cx.req)?;
    let body: SetupRequest = read_json(cx.req).await?;
    let already = || {
        ApiError::conflict(
            ErrorCode::SetupAlreadyDone,
            "this instance already has its owner; sign in instead",
        )
    };
    if db::users::exists_any(&cx.db).await? {
        return Err(already());
    }
    let username = Username::parse(&body.username)?;
    let display_name = validate_display_name(body.display_name.as_deref(), username.as_str())?;
    validate_password(&body.password)?;
    let hashed = password::hash(&body.password).await?;
    let id = UserId::from_uuid(new_uuid());
    let new = new_user(id, &username, &display_name, Role::Owner, &hashed, cx.now);
    // The first Owner creates themself.
    let actor = crate::db::audit::Actor {
        by: shared::actor::ActorRef::user(id),
        name: username.as_str().to_owned(),
        token: None,
        origin: Some(cx.origin()),
    };
    match db::users::insert(&cx.db, &new, true, &actor).await {
        Ok(true) => {}
        Ok(false) | Err(InsertError::UsernameTaken) => return Err(already()),
        Err(InsertError::Db(e)) => return Err(e.into()),
    }
    let user = db::users::by_id(&cx.db, id)
        .await?
        .ok_or_else(|| ApiError::Internal("owner vanished".into()))?;
    start_session(cx, &user, 201, Vec::new(), None).await
}

/// Signs in, throttled as OWASP advises so that nobody can lock anyone else out. The attempt is
/// counted before the password is checked, in the statement that decides whether it may be
/// checked at all, so no number of parallel requests gets past a limit: with a valid device
/// cookie for the username, per device (5 in 15 minutes); from any other browser, per address
/// (20 a minute), per username and address (5 in 15 minutes) and per username across
/// addresses (50 an hour). Two round trips when it succeeds (the attempt, then the session with
/// the clearing of the counts and a new device cookie), one when it fails.
pub async fn login(cx: &mut Ctx<'_, ()>) -> Result<Response, ApiError> {
    browser::refuse_foreign_origin(cx.req)?;
    let body: LoginRequest = read_json(cx.req).await?;
    // No username that could never exist is stored or looked up.
    let username = Username::parse(&body.username)?;
    let now = cx.now;
    let address = client_key(cx.req);
    let device = browser::device_cookie_value(cx.req).map(|v| sha256_hex(v.as_bytes()));
    let attempt = db::signin::attempt(&cx.db, &username, &address, device.as_deref(), now).await?;
    if let db::signin::Counted::Refused(windows) = &attempt.counted {
        return Err(sign_in_refused(windows, now));
    }
    let wrong = || {
        ApiError::client(
            ErrorCode::InvalidCredentials,
            "the username or password is not correct",
        )
    };
    let Some(stored) = attempt.account else {
        password::burn_equivalent_time(&body.password).await;
        return Err(wrong());
    };
    let hash = PasswordHash {
        hash: stored.password_hash.clone(),
        salt: stored.password_salt.clone(),
        iterations: stored.password_iterations,
    };
    if !password::verify(&body.password, &hash).await? {
        return Err(wrong());
    }
    if stored.user.disabled {
        return Err(ApiError::client(
            ErrorCode::AccountDisabled,
            "this account is disabled; ask an Owner or Administrator to enable it",
        ));
    }
    let clear = db::signin::clear_statements(&cx.db, &username, &address, device.as_deref())?;
    start_session(cx, &stored.user, 200, clear, device.as_deref()).await
}

/// The 429 of a refused sign-in: the limit that frees up last, and when it does.
fn sign_in_refused(windows: &SignInWindows, now: i64) -> ApiError {
    // The statement that refused the attempt ensures some limit is full; should none be, the
    // client is asked to retry at once rather than the attempt being let through.
    let (limit, seconds) =
        sign_in_refusal(windows, now).unwrap_or((SignInLimit::AddressAndUsername, 1));
    ApiError::Throttled {
        message: limit.message(seconds),
        retry_after_secs: seconds,
    }
}

/// `POST /api/auth/password`: the current password is checked, counted against the account's
/// own five checks in 15 minutes (so a stolen session cannot guess it; apart from sign-in's
/// counts, so neither locks the other), then the new one is stored, the count cleared and
/// every other session of the account ended in one batch: three round trips with the
/// session's.
pub async fn change_password(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let body: ChangePasswordRequest = read_json(cx.req).await?;
    validate_password(&body.new_password)?;
    let (Some(user_id), Credential::Session { id_hash, .. }) = (cx.who.user_id, &cx.who.credential)
    else {
        return Err(ApiError::forbidden(
            "sign in to change your password; an API token cannot",
        ));
    };
    let username = Username::parse(cx.who.username.as_deref().unwrap_or_default())?;
    let gone = || ApiError::client(ErrorCode::Unauthenticated, "this account no longer exists");
    let check = db::password_checks::attempt(&cx.db, user_id, &username, cx.now).await?;
    let stored = check
        .account
        .filter(|a| a.user.id == user_id)
        .ok_or_else(gone)?;
    if let Some(oldest) = check.throttled_since {
        let seconds = retry_after_secs(oldest, PASSWORD_CHECKS.window_ms, cx.now);
        return Err(ApiError::Throttled {
            message: format!(
                "too many password checks for this account; try again in {}",
                minutes_phrase(seconds)
            ),
            retry_after_secs: seconds,
        });
    }
    let current = PasswordHash {
        hash: stored.password_hash.clone(),
        salt: stored.password_salt.clone(),
        iterations: stored.password_iterations,
    };
    if !password::verify(&body.current_password, &current).await? {
        return Err(ApiError::client(
            ErrorCode::WrongPassword,
            "the current password is not correct",
        ));
    }
    let hashed = password::hash(&body.new_password).await?;
    let clear = db::password_checks::clear_statement(&cx.db, user_id)?;
    let actor = cx.audit_actor();
    db::user_passwords::set_password(
        &cx.db,
        user_id,
        &hashed,
        None,
        Some(id_hash),
        Some(clear),
        cx.now,
        &actor,
    )
    .await?;
    Ok(no_content())
}

pub async fn logout(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    if let Credential::Session { id_hash, .. } = &cx.who.credential {
        db::sessions::delete(&cx.db, id_hash).await?;
    }
    Ok(with_header(
        no_content(),
        "Set-Cookie",
        &browser::session_cookie(cx.req, "", 0),
    ))
}

pub async fn me(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let Some(user_id) = cx.who.user_id else {
        return Err(ApiError::client(
            ErrorCode::NotFound,
            "the bootstrap token belongs to the instance, not to a user",
        ));
    };
    let user = db::users::by_id(&cx.db, user_id).await?.ok_or_else(|| {
        ApiError::client(ErrorCode::Unauthenticated, "this account no longer exists")
    })?;
    Ok(json(
        200,
        &UserEnvelope {
            user: user_to_api(user),
        },
    ))
}

/// Starts a session for `user` and issues this browser a new device cookie (replacing the one
/// it presented, `device`, when that was the user's), in one batch with `along` (what the
/// sign-in clears).
async fn start_session(
    cx: &Ctx<'_, ()>,
    user: &UserRow,
    status: u16,
    along: Vec<D1PreparedStatement>,
    device: Option<&str>,
) -> Result<Response, ApiError> {
    let session = to_hex(&random_bytes::<32>());
    let new_device = to_hex(&random_bytes::<32>());
    let now = cx.now;
    let user_id = user.id;
    let mut along = along;
    along.extend(db::devices::issue_statements(
        &cx.db,
        &sha256_hex(new_device.as_bytes()),
        user_id,
        device,
        now,
        now + DEVICE_COOKIE_MS,
    )?);
    db::sessions::insert(
        &cx.db,
        &sha256_hex(session.as_bytes()),
        user_id,
        now,
        now + SESSION_IDLE_MS,
        along,
    )
    .await?;
    let body = UserEnvelope {
        user: user_to_api(user.clone()),
    };
    Ok(with_cookies(
        json(status, &body),
        &[
            browser::session_cookie(cx.req, &session, SESSION_IDLE_MS),
            browser::device_cookie(cx.req, &new_device, DEVICE_COOKIE_MS),
        ],
    ))
}

pub fn new_user<'a>(
    id: UserId,
    username: &'a Username,
    display_name: &'a str,
    role: Role,
    hashed: &'a PasswordHash,
    now: i64,
) -> NewUser<'a> {
    NewUser {
        id,
        username: username.as_str(),
        display_name,
        role,
        password: hashed,
        created_at: now,
    }
}

pub fn user_to_api(row: UserRow) -> User {
    User {
        created_at: row.created_at,
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        role: row.role,
        disabled: row.disabled,
    }
}
