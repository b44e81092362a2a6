//! `/api/tokens/bulk-*`: delete, revoke and reassign 1 to 1,000 tokens, all or nothing. Every
//! id is checked first, so a refusal names exactly the ids at fault; the change itself runs in
//! one guarded D1 batch, so a concurrent change rolls it back rather than half-applying it.

use super::tokens::{new_owner, require_reassigner};
use crate::context::Ctx;
use crate::db::{self, token_bulk::BulkChange};
use crate::error::ApiError;
use crate::http::read_json;
use crate::response::json;
use shared::api::{BulkDeleted, BulkReassignRequest, BulkReassigned, BulkRequest, BulkRevoked};
use shared::{ErrorCode, TokenId, TokenStatus};
use std::collections::HashSet;
use worker::Response;

/// SPEC 6: a bulk request names 1 to 1,000 ids.
pub use shared::api::MAX_BULK;

pub async fn delete(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let body: BulkRequest = read_json(cx.req).await?;
    let ids = bulk_ids(&body.ids)?;
    let n = run(cx, &ids, BulkChange::Delete).await?;
    Ok(json(200, &BulkDeleted { deleted: n }))
}

pub async fn revoke(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let body: BulkRequest = read_json(cx.req).await?;
    let ids = bulk_ids(&body.ids)?;
    let n = run(cx, &ids, BulkChange::Revoke).await?;
    Ok(json(200, &BulkRevoked { revoked: n }))
}

pub async fn reassign(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    require_reassigner(&cx.who)?;
    let body: BulkReassignRequest = read_json(cx.req).await?;
    let ids = bulk_ids(&body.ids)?;
    let target = new_owner(&cx.db, &body.user_id, cx.who.role).await?;
    let detail = format!("to {}", target.display_name);
    let change = BulkChange::Reassign {
        to_user: &target.id.to_string(),
        detail: &detail,
    };
    let n = run(cx, &ids, change).await?;
    Ok(json(200, &BulkReassigned { reassigned: n }))
}

/// Validates a bulk id list: 1 to 1,000 distinct UUIDs, naming the offenders otherwise.
fn bulk_ids(raw: &[String]) -> Result<Vec<TokenId>, ApiError> {
    if raw.is_empty() || raw.len() > MAX_BULK {
        return Err(ApiError::invalid(format!(
            "ids must name 1 to {MAX_BULK} tokens; this request names {}",
            raw.len()
        )));
    }
    let malformed: Vec<&String> = raw.iter().filter(|r| TokenId::parse(r).is_none()).collect();
    refuse_named(&malformed, |list| {
        ApiError::invalid_id(format!("these ids are not UUIDs: {list}"))
    })?;
    let ids: Vec<TokenId> = raw.iter().filter_map(|r| TokenId::parse(r)).collect();
    let mut seen = HashSet::new();
    let repeated: Vec<TokenId> = ids.iter().copied().filter(|id| !seen.insert(*id)).collect();
    refuse_named(&repeated, |list| {
        ApiError::invalid(format!("each id may appear once; repeated: {list}"))
    })?;
    Ok(ids)
}

/// Checks every id first, so a refusal names exactly the ids at fault, then applies the
/// change atomically (the guard inside the batch covers anything that changed in between).
async fn run(cx: &Ctx<'_>, ids: &[TokenId], change: BulkChange<'_>) -> Result<u64, ApiError> {
    let scope = cx.who.token_scope();
    let ids_json = serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let found = db::token_bulk::existing(&cx.db, &ids_json, scope).await?;
    let found_ids: HashSet<TokenId> = found.iter().map(|r| r.id).collect();
    let missing: Vec<TokenId> = ids
        .iter()
        .copied()
        .filter(|id| !found_ids.contains(id))
        .collect();
    refuse_any(
        &missing,
        ErrorCode::TokenNotFound,
        "of the ids match no token you can manage",
    )
    .map_err(|e| e.about(&missing))?;
    if matches!(change, BulkChange::Revoke { .. }) {
        // Named by their descriptions: that is how people know their tokens. Revoking changes
        // nothing for a revoked or an expired token (`TokenStatus::may_revoke`); the SPA
        // leaves them out of its request and says so.
        let named = |status: TokenStatus| -> Vec<String> {
            found
                .iter()
                .filter(|r| {
                    TokenStatus::derive(r.revoked_at, r.expires_at, false, cx.now) == status
                })
                .map(|r| format!("\u{201c}{}\u{201d}", r.name))
                .collect()
        };
        refuse_any(
            &named(TokenStatus::Revoked),
            ErrorCode::AlreadyRevoked,
            "of the tokens are already revoked",
        )?;
        refuse_any(
            &named(TokenStatus::Expired),
            ErrorCode::AlreadyExpired,
            "of the tokens have expired and can never work again; revoking them would change nothing",
        )?;
    }
    let actor = cx.audit_actor();
    if !db::token_bulk::bulk(&cx.db, &ids_json, ids.len(), scope, cx.now, change, &actor).await? {
        return Err(ApiError::client(
            ErrorCode::TokenNotFound,
            "nothing was changed: some of the tokens changed while this request ran; reload and try again",
        ));
    }
    Ok(ids.len() as u64)
}

/// Refuses the whole request when any token is at fault, naming them.
fn refuse_any<T: ToString>(at_fault: &[T], code: ErrorCode, why: &str) -> Result<(), ApiError> {
    let n = at_fault.len();
    refuse_named(at_fault, |list| {
        ApiError::client(code, format!("nothing was changed: {n} {why}: {list}"))
    })
}

/// The error `refusal` makes of the named items, when there are any.
fn refuse_named<T: ToString>(
    items: &[T],
    refusal: impl FnOnce(String) -> ApiError,
) -> Result<(), ApiError> {
    if items.is_empty() {
        Ok(())
    } else {
        Err(refusal(list_some(items)))
    }
}

/// The first ten items, and how many more.
fn list_some<T: ToString>(items: &[T]) -> String {
    let shown = items
        .iter()
        .take(10)
        .map(|s| s.to_string().chars().take(40).collect::<String>())
        .collect::<Vec<_>>()
        .join(", ");
    match items.len().saturating_sub(10) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}
