//! `/api/users`: Owner and Administrator manage who may sign in and with which role, within the
//! rules of `shared::roles` (nobody acts on someone who outranks them; the Owner role is only
//! ever handed over, by the Owner, in person).

use super::auth::{new_user, user_to_api};
use crate::context::Ctx;
use crate::db::{
    self,
    ownership::TransferRefusal,
    users::{InsertError, Refusal},
};
use crate::error::ApiError;
use crate::http::read_json;
use crate::password;
use crate::platform::new_uuid;
use crate::principal::Principal;
use crate::response::{json, no_content};
use shared::account::{validate_display_name, validate_password, Username};
use shared::api::{CreateUserRequest, SetPasswordRequest, UpdateUserRequest, UserList};
use shared::roles::{manageable_roles, may_grant, may_transfer_ownership, resettable_roles, Role};
use shared::{ErrorCode, UserId};
use worker::Response;

pub async fn list(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let rows = db::users::list(&cx.db).await?;
    let items = rows.into_iter().map(user_to_api).collect();
    Ok(json(200, &UserList { items }))
}

pub async fn create(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let body: CreateUserRequest = read_json(cx.req).await?;
    may_give(&cx.who, body.role)?;
    let username = Username::parse(&body.username)?;
    let display_name = validate_display_name(body.display_name.as_deref(), username.as_str())?;
    validate_password(&body.password)?;
    let hashed = password::hash(&body.password).await?;
    let id = UserId::from_uuid(new_uuid());
    let new = new_user(id, &username, &display_name, body.role, &hashed, cx.now);
    match db::users::insert(&cx.db, &new, false, &cx.audit_actor()).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(ApiError::conflict(
                ErrorCode::NoOwner,
                "this instance has no Owner yet: create the Owner first (POST /api/auth/setup), then the other users",
            ))
        }
        Err(InsertError::UsernameTaken) => {
            return Err(ApiError::conflict(
                ErrorCode::UsernameTaken,
                format!("the username \"{username}\" is taken; choose another"),
            ))
        }
        Err(InsertError::Db(e)) => return Err(e.into()),
    }
    let row = db::users::by_id(&cx.db, id)
        .await?
        .ok_or_else(|| ApiError::Internal("user vanished".into()))?;
    Ok(json(201, &user_to_api(row)))
}

pub async fn update(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = user_id(raw_id)?;
    let body: UpdateUserRequest = read_json(cx.req).await?;
    if body.role.is_none() && body.disabled.is_none() {
        return Err(ApiError::invalid(
            "nothing to change: send role, disabled, or both",
        ));
    }
    if let Some(role) = body.role {
        may_give(&cx.who, role)?;
    }
    let demotes = body.role.is_some_and(|role| role != cx.who.role);
    if is_caller(cx, id) && (demotes || body.disabled == Some(true)) {
        return Err(own_account("disable or demote"));
    }
    let manageable = manageable_roles(cx.who.role);
    db::users::update(
        &cx.db,
        id,
        body.role,
        body.disabled,
        &manageable,
        cx.now,
        &cx.audit_actor(),
    )
    .await?
    .map_err(|r| refused(r, id))?;
    let row = db::users::by_id(&cx.db, id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(id))?;
    Ok(json(200, &user_to_api(row)))
}

pub async fn delete(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = user_id(raw_id)?;
    if is_caller(cx, id) {
        return Err(own_account("delete"));
    }
    db::users::delete(
        &cx.db,
        id,
        &manageable_roles(cx.who.role),
        cx.now,
        &cx.audit_actor(),
    )
    .await?
    .map_err(|r| refused(r, id))?;
    Ok(no_content())
}

/// Whether `id` is the account acting (signed in, or owning the token used). The Owner's
/// own account has its own, more telling refusal (409 `last_owner`: hand ownership over
/// first), so it is left to that.
fn is_caller(cx: &Ctx<'_>, id: UserId) -> bool {
    cx.who.role != Role::Owner && cx.who.user_id == Some(id)
}

/// Nobody locks themselves out: one's own account is disabled, demoted or deleted only by
/// another Administrator or the Owner.
fn own_account(what: &str) -> ApiError {
    ApiError::forbidden(format!(
        "You cannot {what} your own account: you would lock yourself out. Another Administrator or the Owner can."
    ))
}

/// The Owner makes another user Owner and becomes an Administrator, in one transaction. Only
/// in person: the route admits sessions only, so no token, whoever owns it, can do this.
pub async fn transfer_ownership(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    if !may_transfer_ownership(cx.who.role) {
        return Err(ApiError::forbidden(
            "only the Owner can hand over ownership",
        ));
    }
    let id = user_id(raw_id)?;
    // The route admits sessions only, and a session always has its user.
    let Some(me) = cx.who.user_id else {
        return Err(ApiError::forbidden(
            "only the Owner can hand over ownership",
        ));
    };
    if me == id {
        return Err(ApiError::invalid(
            "you are already the Owner; choose another user",
        ));
    }
    match db::ownership::transfer_ownership(&cx.db, me, id, cx.now, &cx.audit_actor()).await? {
        Ok(()) => {}
        Err(TransferRefusal::NotOwner) => {
            return Err(ApiError::forbidden(
                "only the Owner can hand over ownership, and you no longer are",
            ))
        }
        Err(TransferRefusal::NotFound) => return Err(ApiError::user_not_found(id)),
        Err(TransferRefusal::Disabled) => {
            return Err(ApiError::conflict(
                ErrorCode::UserDisabled,
                "that user is disabled; enable them before making them Owner",
            ))
        }
    }
    let row = db::users::by_id(&cx.db, id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(id))?;
    Ok(json(200, &user_to_api(row)))
}

/// `POST /api/users/{id}/password`: sets someone else's password (never one's own: that needs
/// the current password, `POST /api/auth/password`), within the role rules; every session of
/// that user ends, so whoever knew the old password is signed out everywhere.
pub async fn set_password(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = user_id(raw_id)?;
    let body: SetPasswordRequest = read_json(cx.req).await?;
    if cx.who.user_id == Some(id) {
        return Err(ApiError::forbidden(
            "to change your own password, give the current one: use Change password",
        ));
    }
    validate_password(&body.new_password)?;
    let hashed = password::hash(&body.new_password).await?;
    // Resetting a password is signing in as that user: never a peer's or a superior's.
    let resettable = resettable_roles(cx.who.role);
    let actor = cx.audit_actor();
    if db::user_passwords::set_password(
        &cx.db,
        id,
        &hashed,
        Some(&resettable),
        None,
        None,
        cx.now,
        &actor,
    )
    .await?
    {
        return Ok(no_content());
    }
    match db::users::by_id(&cx.db, id).await? {
        None => Err(ApiError::user_not_found(id)),
        Some(user) => Err(ApiError::forbidden(format!(
            "acting as {}, you cannot reset the password of a{} {}: only the Owner resets an Administrator's, and Administrators reset Managers' and Viewers'",
            cx.who.role.label(),
            if user.role == Role::Administrator || user.role == Role::Owner { "n" } else { "" },
            user.role.label()
        ))),
    }
}

/// 403 unless the caller may give this role: never the Owner role (it is handed over), never
/// more than the caller's own.
fn may_give(principal: &Principal, role: Role) -> Result<(), ApiError> {
    if may_grant(principal.role, role) {
        Ok(())
    } else if role == Role::Owner {
        Err(ApiError::forbidden(
            "the Owner role is never granted: the Owner hands it over with Transfer ownership",
        ))
    } else {
        Err(ApiError::forbidden(format!(
            "acting as {}, you cannot make anyone {}",
            principal.role.label(),
            role.label()
        )))
    }
}

/// Why a change to a user was refused, as the write found it.
fn refused(refusal: Refusal, id: UserId) -> ApiError {
    match refusal {
        Refusal::NotFound => ApiError::user_not_found(id),
        Refusal::Outranks => ApiError::forbidden(
            "that user's role outranks yours; only the Owner changes the Owner's account",
        ),
        Refusal::LastOwner => ApiError::conflict(
            ErrorCode::LastOwner,
            "this is the Owner; hand ownership to someone else first (Transfer ownership)",
        ),
    }
}

fn user_id(raw: &str) -> Result<UserId, ApiError> {
    UserId::parse(raw).ok_or_else(|| {
        ApiError::invalid_id("the user id in the path must be a UUID, for example 1b4e28ba-2fa1-4d3b-9a5c-6f1e2d3c4b5a")
    })
}
