//! `/api/users`: Owner and Administrator manage who may sign in and with which role.

use super::auth::{invalid, new_user, user_to_api};
use crate::auth::Principal;
use crate::db::{self, users::InsertError};
use crate::error::ApiError;
use crate::http::{json, no_content, read_json};
use crate::password;
use crate::platform::{new_uuid, now_ms};
use shared::account::{validate_display_name, validate_password, validate_username};
use shared::api::{CreateUserRequest, UpdateUserRequest, UserList};
use shared::permissions::{Action, Resource};
use shared::roles::Role;
use shared::{ErrorCode, UserId};
use worker::{Env, Request, Response};

pub async fn list(env: &Env, principal: &Principal) -> Result<Response, ApiError> {
    principal.require(Resource::Users, Action::Read)?;
    let rows = db::users::list(&db::database(env)?).await?;
    let items = rows
        .into_iter()
        .map(user_to_api)
        .collect::<Result<_, _>>()?;
    Ok(json(200, &UserList { items }))
}

pub async fn create(
    req: &mut Request,
    env: &Env,
    principal: &Principal,
) -> Result<Response, ApiError> {
    principal.require(Resource::Users, Action::Write)?;
    let body: CreateUserRequest = read_json(req).await?;
    if body.role == Role::Owner {
        only_owners_touch_owners(principal)?;
    }
    let username = validate_username(&body.username).map_err(invalid)?;
    let display_name =
        validate_display_name(body.display_name.as_deref(), &username).map_err(invalid)?;
    validate_password(&body.password).map_err(invalid)?;
    let hashed = password::hash(&body.password).await?;
    let id = UserId::from_uuid(new_uuid());
    let db = db::database(env)?;
    match db::users::insert(
        &db,
        &new_user(id, &username, &display_name, body.role, &hashed),
        false,
    )
    .await
    {
        Ok(_) => {}
        Err(InsertError::UsernameTaken) => {
            return Err(ApiError::client(
                ErrorCode::UsernameTaken,
                format!("the username \"{username}\" is taken; choose another"),
            ))
        }
        Err(InsertError::Db(e)) => return Err(e.into()),
    }
    let row = db::users::by_id(&db, id)
        .await?
        .ok_or_else(|| ApiError::Internal("user vanished".into()))?;
    Ok(json(201, &user_to_api(row)?))
}

pub async fn update(
    req: &mut Request,
    env: &Env,
    principal: &Principal,
    raw_id: &str,
) -> Result<Response, ApiError> {
    principal.require(Resource::Users, Action::Write)?;
    let id = user_id(raw_id)?;
    let body: UpdateUserRequest = read_json(req).await?;
    if body.role.is_none() && body.disabled.is_none() {
        return Err(invalid("nothing to change: send role, disabled, or both"));
    }
    let db = db::database(env)?;
    let target = db::users::by_id(&db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if target.role == Role::Owner.as_str() || body.role == Some(Role::Owner) {
        only_owners_touch_owners(principal)?;
    }
    let role = body.role.map(Role::as_str);
    if !db::users::update(&db, id, role, body.disabled, now_ms(), &principal.actor).await? {
        return Err(match db::users::by_id(&db, id).await? {
            None => not_found(id),
            Some(_) => last_owner(),
        });
    }
    let row = db::users::by_id(&db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(json(200, &user_to_api(row)?))
}

pub async fn delete(env: &Env, principal: &Principal, raw_id: &str) -> Result<Response, ApiError> {
    principal.require(Resource::Users, Action::Delete)?;
    let id = user_id(raw_id)?;
    let db = db::database(env)?;
    let target = db::users::by_id(&db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if target.role == Role::Owner.as_str() {
        only_owners_touch_owners(principal)?;
    }
    if db::users::delete(&db, id).await? {
        Ok(no_content())
    } else if db::users::by_id(&db, id).await?.is_none() {
        Err(not_found(id))
    } else {
        Err(last_owner())
    }
}

fn only_owners_touch_owners(principal: &Principal) -> Result<(), ApiError> {
    if principal.role == Role::Owner {
        Ok(())
    } else {
        Err(ApiError::client(
            ErrorCode::Forbidden,
            "only an Owner can grant the Owner role or change an Owner's account",
        ))
    }
}

fn user_id(raw: &str) -> Result<UserId, ApiError> {
    UserId::parse(raw).ok_or_else(|| {
        ApiError::client(ErrorCode::InvalidId, "the user id in the path must be a UUID, for example 1b4e28ba-2fa1-4d3b-9a5c-6f1e2d3c4b5a")
    })
}

fn not_found(id: UserId) -> ApiError {
    ApiError::client(
        ErrorCode::UserNotFound,
        format!("there is no user with id {id}"),
    )
}

fn last_owner() -> ApiError {
    ApiError::client(
        ErrorCode::LastOwner,
        "this is the last enabled Owner; make another user Owner first",
    )
}
