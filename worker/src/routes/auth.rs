//! `/api/auth`: first-run setup, sign-in and sign-out, who am I, and one's own password.

use crate::auth::Credential;
use crate::browser;
use crate::context::Ctx;
use crate::db::{
    self,
    users::{InsertError, NewUser, UserRow},
};
use crate::error::ApiError;
use crate::http::read_json;
use crate::password::{self, PasswordHash};
use crate::platform::{new_uuid, random_bytes};
use crate::response::{json, no_content, with_header};
use shared::account::{validate_display_name, validate_password, Username, SESSION_IDLE_MS};
use shared::api::{
    AuthStatus, ChangePasswordRequest, LoginRequest, SetupRequest, User, UserEnvelope,
};
use shared::roles::Role;
use shared::throttle::{retry_after_secs, WINDOW_MS};
use shared::token::{sha256_hex, to_hex};
use shared::{ErrorCode, UserId};
use worker::Response;

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
        name: username.as_str().to_owned(),
        token: None,
    };
    match db::users::insert(&cx.db, &new, true, &actor).await {
        Ok(true) => {}
        Ok(false) | Err(InsertError::UsernameTaken) => return Err(already()),
        Err(InsertError::Db(e)) => return Err(e.into()),
    }
    let user = db::users::by_id(&cx.db, id)
        .await?
        .ok_or_else(|| ApiError::Internal("owner vanished".into()))?;
    start_session(cx, &user, 201).await
}

/// Signs in. The attempt is counted before the password is checked, in the statement that
/// decides whether it may be checked at all: at most five checks per username in any 15
/// minutes, however many requests run at once.
pub async fn login(cx: &mut Ctx<'_, ()>) -> Result<Response, ApiError> {
    browser::refuse_foreign_origin(cx.req)?;
    let body: LoginRequest = read_json(cx.req).await?;
    // No username that could never exist is stored or looked up.
    let username = Username::parse(&body.username)?;
    let now = cx.now;
    let attempt = db::login_failures::attempt(&cx.db, &username, now).await?;
    if let Some(oldest) = attempt.throttled_since {
        let seconds = retry_after_secs(oldest, WINDOW_MS, now);
        return Err(ApiError::Throttled {
            message: format!(
                "too many sign-in attempts for this username; try again in {} minutes",
                (seconds + 59) / 60
            ),
            retry_after_secs: seconds,
        });
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
    db::login_failures::clear(&cx.db, &username).await?;
    start_session(cx, &stored.user, 200).await
}

/// `POST /api/auth/password`: the current password is checked as a sign-in would check it
/// (counted against the username's five attempts in 15 minutes, so a stolen session cannot
/// guess it), then the new one is stored, the count cleared and every other session of the
/// account ended in one batch: three round trips with the session's.
pub async fn change_password(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let body: ChangePasswordRequest = read_json(cx.req).await?;
    validate_password(&body.new_password)?;
    let (Some(user_id), Credential::Session { id_hash, .. }) = (
        cx.who.user_id.as_deref().and_then(UserId::parse),
        &cx.who.credential,
    ) else {
        return Err(ApiError::forbidden(
            "sign in to change your password; an API token cannot",
        ));
    };
    // A session's actor is its user's username (`auth::user_principal`).
    let username = Username::parse(&cx.who.actor)?;
    let gone = || ApiError::client(ErrorCode::Unauthenticated, "this account no longer exists");
    let attempt = db::login_failures::attempt(&cx.db, &username, cx.now).await?;
    if let Some(oldest) = attempt.throttled_since {
        let seconds = retry_after_secs(oldest, WINDOW_MS, cx.now);
        return Err(ApiError::Throttled {
            message: format!(
                "too many password checks for this account; try again in {} minutes",
                (seconds + 59) / 60
            ),
            retry_after_secs: seconds,
        });
    }
    let stored = attempt
        .account
        .filter(|a| a.user.id == user_id)
        .ok_or_else(gone)?;
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
    let clear = db::login_failures::clear_statement(&cx.db, &username)?;
    let actor = cx.who.audit_actor();
    db::users::set_password(
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
    let Some(user_id) = cx.who.user_id.as_deref().and_then(UserId::parse) else {
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

async fn start_session(
    cx: &Ctx<'_, ()>,
    user: &UserRow,
    status: u16,
) -> Result<Response, ApiError> {
    let value = to_hex(&random_bytes::<32>());
    let now = cx.now;
    db::sessions::insert(
        &cx.db,
        &sha256_hex(value.as_bytes()),
        &user.id.to_string(),
        now,
        now + SESSION_IDLE_MS,
    )
    .await?;
    let body = UserEnvelope {
        user: user_to_api(user.clone()),
    };
    Ok(with_header(
        json(status, &body),
        "Set-Cookie",
        &browser::session_cookie(cx.req, &value, SESSION_IDLE_MS),
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
        password_hash: &hashed.hash,
        password_salt: &hashed.salt,
        password_iterations: hashed.iterations,
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
