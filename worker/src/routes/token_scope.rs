//! What a token reaches besides its permissions: its configuration scope and its address
//! allow-list, as a new token asks for them (`POST /api/tokens`) and changed
//! (`PATCH /api/tokens/{id}`), which the agent's very next request obeys.

use super::tokens::to_api;
use crate::context::Ctx;
use crate::db::{self, token_scope::Change};
use crate::error::ApiError;
use crate::http::{read_json, token_id};
use crate::response::json;
use shared::addresses;
use shared::api::UpdateTokenRequest;
use shared::roles::may_widen_scope;
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

/// A request's `allowedAddresses`, checked, as the JSON the token keeps (`None`: any address).
pub fn address_blocks(entries: Option<&[String]>) -> Result<Option<String>, ApiError> {
    let blocks = addresses::parse(entries).map_err(ApiError::invalid)?;
    Ok(blocks.map(|b| serde_json::to_string(&b)).transpose()?)
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
    let scope = match body.config_scope.as_ref() {
        Some(wanted) => Some(requested(cx, wanted.as_deref()).await?),
        None => None,
    };
    let blocks = match body.allowed_addresses.as_ref() {
        Some(wanted) => Some(address_blocks(wanted.as_deref())?),
        None => None,
    };
    let before = (token.config_scope(), token.allowed_addresses());
    let scope = scope.filter(|s| *s != before.0);
    let blocks = blocks.filter(|b| *b != token.allowed_addresses);
    if scope.is_none() && blocks.is_none() {
        return Ok(json(200, &to_api(token, cx.now)?));
    }
    // Narrowing takes what revoking takes: seeing the token. Widening (more configurations,
    // or any address where there was a list) takes being able to hold the token.
    let wider_scope = scope.as_ref().is_some_and(|s| !s.is_within(&before.0));
    let wider_addresses = matches!((&blocks, &before.1), (Some(None), Some(_)));
    let (role, powers) = token.powers();
    if (wider_scope || wider_addresses)
        && !may_widen_scope(cx.who.role, cx.who.permissions, role, powers)
    {
        return Err(ApiError::forbidden(
            "this token can do more than you can: you may narrow what it reaches, not widen it",
        ));
    }
    let mut said = Vec::new();
    if let Some(scope) = &scope {
        said.push(format!(
            "configurations: {} \u{2192} {}",
            before.0.describe(),
            scope.describe()
        ));
    }
    if let Some(blocks) = &blocks {
        let after: Option<Vec<addresses::Block>> = blocks
            .as_deref()
            .map(|json| serde_json::from_str(json).unwrap_or_default());
        said.push(format!(
            "addresses: {} \u{2192} {}",
            addresses::describe(before.1.as_deref()),
            addresses::describe(after.as_deref())
        ));
    }
    let change = Change {
        scope: scope.as_ref(),
        addresses: blocks.as_ref().map(Option::as_deref),
    };
    let actor = cx.audit_actor();
    if !db::token_scope::change(&cx.db, id, &change, &said.join("; "), cx.now, &actor).await? {
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
