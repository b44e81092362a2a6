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
use shared::{ErrorCode, TokenId};
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
    let by = cx.who.actor.clone();
    let n = run(cx, &ids, BulkChange::Revoke { by: &by }).await?;
    Ok(json(200, &BulkRevoked { revoked: n }))
}

pub async fn reassign(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    require_reassigner(&cx.who)?;
    let body: BulkReassignRequest = read_json(cx.req).await?;
    let ids = bulk_ids(&body.ids)?;
    let target = new_owner(&cx.db, &body.user_id, cx.who.role).await?;
    let detail = format!("to {}", target.display_name);
    let by = cx.who.actor.clone();
    let change = BulkChange::Reassign {
        to_user: &target.id.to_string(),
        by: &by,
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
    let malformed: Vec<&str> = raw
        .iter()
        .filter(|r| TokenId::parse(r).is_none())
        .map(String::as_str)
        .collect();
    if !malformed.is_empty() {
        return Err(ApiError::invalid_id(format!(
            "these ids are not UUIDs: {}",
            list_some(&malformed)
        )));
    }
    let ids: Vec<TokenId> = raw.iter().filter_map(|r| TokenId::parse(r)).collect();
    let mut seen = HashSet::new();
    let repeated: Vec<String> = ids
        .iter()
        .filter(|id| !seen.insert(**id))
        .map(ToString::to_string)
        .collect();
    if !repeated.is_empty() {
        return Err(ApiError::invalid(format!(
            "each id may appear once; repeated: {}",
            list_some(&repeated)
        )));
    }
    Ok(ids)
}

/// Checks every id first, so a refusal names exactly the ids at fault, then applies the
/// change atomically (the guard inside the batch covers anything that changed in between).
async fn run(cx: &Ctx<'_>, ids: &[TokenId], change: BulkChange<'_>) -> Result<u64, ApiError> {
    let scope = cx.who.token_scope();
    let ids_json = serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let found = db::token_bulk::existing(&cx.db, &ids_json, scope).await?;
    let found_ids: HashSet<&str> = found.iter().map(|r| r.id.as_str()).collect();
    let missing: Vec<String> = ids
        .iter()
        .map(ToString::to_string)
        .filter(|id| !found_ids.contains(id.as_str()))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::client(
            ErrorCode::TokenNotFound,
            format!(
                "nothing was changed: {} of the ids match no token you can manage: {}",
                missing.len(),
                list_some(&missing)
            ),
        ));
    }
    if matches!(change, BulkChange::Revoke { .. }) {
        let revoked: Vec<&str> = found
            .iter()
            .filter(|r| r.revoked_at.is_some())
            .map(|r| r.id.as_str())
            .collect();
        if !revoked.is_empty() {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyRevoked,
                format!(
                    "nothing was changed: {} of the tokens are already revoked: {}",
                    revoked.len(),
                    list_some(&revoked)
                ),
            ));
        }
    }
    if !db::token_bulk::bulk(&cx.db, &ids_json, ids.len(), scope, cx.now, change).await? {
        return Err(ApiError::client(
            ErrorCode::TokenNotFound,
            "nothing was changed: some of the tokens changed while this request ran; reload and try again",
        ));
    }
    Ok(ids.len() as u64)
}

/// The first ten items, and how many more.
fn list_some<T: AsRef<str>>(items: &[T]) -> String {
    let shown = items
        .iter()
        .take(10)
        .map(|s| s.as_ref().chars().take(40).collect::<String>())
        .collect::<Vec<_>>()
        .join(", ");
    match items.len().saturating_sub(10) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}
