//! A token's configuration scope: what a new token asks for (`POST /api/tokens`) and
//! changing it (`PATCH /api/tokens/{id}`), which the agent's very next request obeys.

use super::tokens::to_api;
use crate::context::Ctx;
use crate::db;
use crate::error::ApiError;
use crate::http::{read_json, token_id};
use crate::response::json;
use shared::api::UpdateTokenRequest;
use shared::roles::{acting_role, may_widen_scope, token_permissions};
use shared::token_scope::ConfigScope;
use worker::Response;

/// The scope a request asks for, checked: within the caller's own (a token hands on at most
/// its own scope; "all" is wider than any list), and naming configurations that exist.
pub async fn requested(cx: &Ctx<'_>, ids: Option<&[String]>) -> Result<ConfigScope, ApiError> {
    let scope = ConfigScope::parse(ids).map_err(ApiError::invalid)?;
    if !scope.is_within(&cx.who.config_scope()) {
        return Err(ApiError::forbidden(match scope {
            ConfigScope::All => "this token reads only some configurations: a token it creates or changes must name configurations within them (configScope)",
            ConfigScope::Only(_) => "configScope names a configuration this token may not read: a token hands on at most its own scope",
        }));
    }
    if let Some(id) = db::token_scope::missing(&cx.db, &scope).await?.first() {
        return Err(ApiError::invalid(format!(
            "configScope: there is no configuration with id {id}"
        )));
    }
    Ok(scope)
}

/// `PATCH /api/tokens/{id}`: a new configuration scope (a list, or null for all). Narrowing
/// needs what revoking needs; widening, that the token can do no more than the caller.
pub async fn update(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let body: UpdateTokenRequest = read_json(cx.req).await?;
    let owner = cx.who.token_scope();
    let token = db::tokens::get(&cx.db, id, owner)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    let Some(wanted) = body.config_scope else {
        return Ok(json(200, &to_api(token, cx.now)?));
    };
    let scope = requested(cx, wanted.as_deref()).await?;
    let before = token.config_scope();
    if scope == before {
        return Ok(json(200, &to_api(token, cx.now)?));
    }
    let role = acting_role(token.owner_role, token.ceiling_role, token.source);
    let powers = token_permissions(
        token.permissions,
        token.owner_role,
        token.ceiling_role,
        token.source,
    );
    if !scope.is_within(&before) && !may_widen_scope(cx.who.role, cx.who.permissions, role, powers)
    {
        return Err(ApiError::forbidden(
            "this token can do more than you can: you may narrow its scope, not widen it",
        ));
    }
    let detail = format!(
        "configurations: {} \u{2192} {}",
        before.describe(),
        scope.describe()
    );
    let actor = cx.who.audit_actor();
    if !db::token_scope::change(&cx.db, id, &scope, &detail, cx.now, &actor).await? {
        // The token, or a configuration the scope names, went meanwhile; nothing changed.
        db::tokens::get(&cx.db, id, owner)
            .await?
            .ok_or_else(|| ApiError::token_not_found(id))?;
        return Err(ApiError::invalid(
            "a configuration named in configScope was deleted meanwhile; nothing was changed",
        ));
    }
    let row = db::tokens::get(&cx.db, id, owner)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    Ok(json(200, &to_api(row, cx.now)?))
}
