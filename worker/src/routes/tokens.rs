//! `/api/tokens`: one token at a time: create (generated or pre-shared), list, inspect,
//! history, revoke, reassign, delete. The bulk forms are `tokens_bulk.rs`.

use crate::context::Ctx;
use crate::db::{self, tokens::TokenRow};
use crate::error::ApiError;
use crate::http::{read_json, token_id};
use crate::principal::Principal;
use crate::response::{json, no_content};
use shared::api::{EventList, ReassignRequest, Token, TokenEvent, TokenList};
use shared::listing::{encode_cursor, TokenQuery};
use shared::roles::{
    acting_role, may_reassign, may_reassign_to, token_permissions, ReassignRefusal, Role,
};
use shared::token::hint_from_last4;
use shared::{ErrorCode, TokenStatus, UserId};
use worker::{D1Database, Response};

pub async fn list(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let pairs = crate::http::query_pairs(cx.req)?;
    let query = TokenQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(ApiError::invalid)?;
    let (scope, now) = (cx.who.token_scope(), cx.now);
    let listing = db::token_list::list(&cx.db, scope, &query, now, now - RECENT_MS).await?;
    let mut rows = listing.rows;
    let mut more_to_search = false;
    let next_cursor = if rows.len() > query.limit as usize {
        rows.truncate(query.limit as usize);
        rows.last().map(|last| {
            encode_cursor(
                query.sort,
                query.order,
                &db::token_list::sort_value(last, query.sort),
                &last.id.to_string(),
            )
        })
    } else if let Some((at, key)) = listing
        .searched_to
        .as_ref()
        .and_then(|at| Some((at, at.key()?)))
    {
        // A walking search ended its window before the page was full: the next page goes on
        // from the last token it examined.
        more_to_search = true;
        Some(encode_cursor(query.sort, query.order, &key, &at.id))
    } else {
        None
    };
    let total = listing.total;
    let items = rows
        .into_iter()
        .map(|row| to_api(row, now))
        .collect::<Result<Vec<_>, _>>()?;
    let response = json(
        200,
        &TokenList {
            items,
            total,
            total_capped: listing.capped,
            next_cursor,
            more_to_search,
        },
    );
    // The rows read, whatever the number of tokens, stay near a page's.
    Ok(crate::response::with_rows_read(response, listing.rows_read))
}

pub async fn get(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let since = cx.now - RECENT_MS;
    let row = db::tokens::get_with_recent(&cx.db, id, cx.who.token_scope(), since)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    Ok(json(200, &to_api(row, cx.now)?))
}

/// "Recent" agents: those whose heartbeat used a token in the last 24 hours.
const RECENT_MS: i64 = 86_400_000;

pub async fn history(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let items = db::token_events::events(&cx.db, id, cx.who.token_scope())
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?
        .into_iter()
        .map(|e| {
            Ok(TokenEvent {
                id: e.id.to_string(),
                kind: e.kind,
                at: e.at,
                actor: e.actor(),
                actor_kind: e.actor_kind,
                detail: e.detail,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(json(200, &EventList { items }))
}

/// Revocation is immediate and irreversible; the token stays listed as Revoked for the audit
/// trail. A second revoke, or one of an expired token, is 409 so a script learns it changed nothing.
pub async fn revoke(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let scope = cx.who.token_scope();
    let actor = cx.audit_actor();
    if !db::tokens::revoke(&cx.db, id, scope, cx.now, &actor, None).await? {
        return Err(match db::tokens::get(&cx.db, id, scope).await? {
            None => ApiError::token_not_found(id),
            Some(token) => not_revocable(&token.name, token.status(cx.now)),
        });
    }
    let row = db::tokens::get(&cx.db, id, scope)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    Ok(json(200, &to_api(row, cx.now)?))
}

/// Why revoking a token changes nothing (`TokenStatus::may_revoke`): it is revoked already,
/// or it has expired and can never work again.
pub fn not_revocable(name: &str, status: TokenStatus) -> ApiError {
    let (code, why) = match status {
        TokenStatus::Expired => (
            ErrorCode::AlreadyExpired,
            "has expired and can never work again; revoking it would change nothing",
        ),
        _ => (ErrorCode::AlreadyRevoked, "is already revoked"),
    };
    ApiError::conflict(code, format!("the token \u{201c}{name}\u{201d} {why}"))
}

/// Owner and Administrator move a token to another user; its effective permissions narrow
/// to that user's role from the next request on.
pub async fn reassign(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    require_reassigner(&cx.who)?;
    let id = token_id(raw_id)?;
    let body: ReassignRequest = read_json(cx.req).await?;
    let token = db::tokens::get(&cx.db, id, None)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    let target = new_owner(&cx.db, &body.user_id, cx.who.role).await?;
    let detail = format!(
        "from {} to {}",
        token.owner_name.as_deref().unwrap_or("the instance"),
        target.display_name
    );
    if !db::tokens::reassign(
        &cx.db,
        id,
        &target.id.to_string(),
        cx.now,
        &detail,
        &cx.audit_actor(),
    )
    .await?
    {
        return Err(ApiError::token_not_found(id));
    }
    let row = db::tokens::get(&cx.db, id, None)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    Ok(json(200, &to_api(row, cx.now)?))
}

pub async fn delete(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    // Another user's token is "not found" for a Manager: its existence is not theirs to learn.
    let actor = cx.audit_actor();
    if db::tokens::delete(&cx.db, id, cx.who.token_scope(), cx.now, &actor).await? {
        Ok(no_content())
    } else {
        Err(ApiError::token_not_found(id))
    }
}

/// Only Owner and Administrator move tokens; refused before anything is looked up.
pub fn require_reassigner(who: &Principal) -> Result<(), ApiError> {
    if may_reassign(who.role) {
        Ok(())
    } else {
        Err(ApiError::forbidden(ReassignRefusal::NotAllowed.to_string()))
    }
}

/// The user a token moves to: an existing, enabled user who may hold tokens and whose role
/// does not outrank the caller's (`shared::roles::may_reassign_to`).
pub async fn new_owner(
    db: &D1Database,
    raw: &str,
    caller: Role,
) -> Result<db::users::UserRow, ApiError> {
    let id = UserId::parse(raw)
        .ok_or_else(|| ApiError::invalid_id("userId must be a user id (a UUID)"))?;
    let user = db::users::by_id(db, id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(id))?;
    let role = user.role;
    match may_reassign_to(caller, role) {
        Ok(()) => {}
        Err(ReassignRefusal::CannotHoldTokens) => {
            return Err(ApiError::invalid(
                ReassignRefusal::CannotHoldTokens.to_string(),
            ))
        }
        Err(refusal) => {
            return Err(ApiError::forbidden(format!(
                "{refusal}: {} is {} and you act as {}",
                user.display_name,
                role.label(),
                caller.label()
            )))
        }
    }
    if user.disabled {
        return Err(ApiError::invalid(
            "that user is disabled; enable them first",
        ));
    }
    Ok(user)
}

pub fn to_api(row: TokenRow, now: i64) -> Result<Token, ApiError> {
    let (created_by, revoked_by) = (row.created_by(), row.revoked_by());
    let config_scope = row.config_scope().to_api();
    let allowed_addresses = row
        .allowed_addresses()
        .map(|blocks| blocks.into_iter().map(|b| b.cidr).collect());
    let lifetime_policy = row.standing(now);
    Ok(Token {
        lifetime_policy,
        status: row.status(now),
        effective_permissions: token_permissions(
            row.permissions,
            row.owner_role,
            row.ceiling_role,
            row.source,
        ),
        acting_role: acting_role(row.owner_role, row.ceiling_role, row.source),
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        last_used_at: row.last_used_at,
        id: row.id,
        name: row.name,
        hint: hint_from_last4(&row.last4),
        owner_id: row.owner_id,
        owner_name: row.owner_name,
        permissions: row.permissions,
        source: row.source,
        created_by,
        revoked_by,
        last_used_ip: row.last_used_ip,
        last_used_agent: row.last_used_agent,
        // Agents whose heartbeat used it in the last 24 hours, where the query asked.
        recent_agents: match row.recent_agents.as_deref() {
            Some(json) => serde_json::from_str(json)?,
            None => Vec::new(),
        },
        rotated_at: row.rotated_at,
        previous_valid_until: row.previous_until,
        previous_last_used_at: row.previous_last_used_at,
        config_scope,
        allowed_addresses,
    })
}
