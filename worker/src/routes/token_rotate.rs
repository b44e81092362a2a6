//! `POST /api/tokens/{id}/rotate`: a new secret for the same token (same id, name, owner,
//! permissions, expiry and history), shown once, with the previous secret accepted for an
//! overlap window so a fleet moves over without an outage.

use super::tokens::to_api;
use crate::context::Ctx;
use crate::db::{self, token_rotation::Rotation};
use crate::error::ApiError;
use crate::http::{read_json, token_id};
use crate::platform::new_token_secret;
use crate::response::json;
use shared::api::{CreatedToken, RotateRequest};
use shared::roles::{ceiling_once_held_by, may_rotate};
use shared::rotation::{describe_overlap, parse_overlap};
use shared::time::Timestamp;
use shared::token_policy::Standing;
use shared::ErrorCode;
use worker::Response;

/// Two round trips after the session: the token as the caller may see it; then the rotation,
/// its history event, its audit entry and the token as it is now, in one batch.
pub async fn rotate(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = token_id(raw_id)?;
    let body: RotateRequest = read_json(cx.req).await?;
    let overlap = match body.overlap.as_deref() {
        None => 0,
        Some(text) => parse_overlap(text).map_err(|e| ApiError::invalid(e.to_string()))?,
    };
    let scope = cx.who.token_scope();
    let token = db::tokens::get(&cx.db, id, scope)
        .await?
        .ok_or_else(|| ApiError::token_not_found(id))?;
    let status = token.status(cx.now);
    if !status.may_revoke() {
        return Err(ApiError::conflict(
            ErrorCode::NotRotatable,
            format!(
                "the token \u{201c}{}\u{201d} is {}: a new secret would not work either; create a new token",
                token.name,
                status.label().to_lowercase()
            ),
        ));
    }
    // A new secret for a token the lifetime policy would not let be made today would carry
    // its lifetime past the policy: that token is replaced, not rotated.
    if token.standing(cx.now) == Some(Standing::Beyond) {
        return Err(ApiError::client(
            ErrorCode::BeyondTokenPolicy,
            token
                .policy()
                .refuse_rotation(token.expires_at.map(Timestamp::millis)),
        ));
    }
    let (role, powers) = token.powers();
    may_rotate(
        cx.who.role,
        cx.who.permissions,
        cx.who.token().and_then(|t| t.expires_at),
        role,
        powers,
        token.source,
        token.expires_at.map(Timestamp::millis),
    )
    .map_err(|refusal| ApiError::forbidden(refusal.to_string()))?;

    let secret = new_token_secret();
    let hash = secret.hash();
    let previous_until = cx.now + overlap;
    let detail = if overlap == 0 {
        "no overlap: the previous secret stopped working at once".to_owned()
    } else {
        let until = Timestamp::from_millis(previous_until)
            .map(|t| t.to_string())
            .unwrap_or_default();
        format!(
            "overlap {}: the previous secret works until {until}",
            describe_overlap(overlap)
        )
    };
    // The caller now holds a working secret: the token never again acts above their role,
    // whoever owns it later (SPEC 10).
    let ceiling = ceiling_once_held_by(token.ceiling_role, cx.who.role);
    let detail = if ceiling == token.ceiling_role {
        detail
    } else {
        format!(
            "{detail}; it acts as at most {} from now on, the role of whoever took the new secret",
            ceiling.label()
        )
    };
    let rotation = Rotation {
        ceiling,
        new_hash: hash.as_str(),
        new_last4: secret.last4(),
        previous_until,
        detail: &detail,
    };
    let actor = cx.audit_actor();
    let row = db::token_rotation::rotate(&cx.db, &token, cx.now, &rotation, &actor)
        .await
        .map_err(|e| {
            // Only a broken CSPRNG, or a value registered before the schema kept current and
            // previous secrets apart (`tokens_one_value_*`), collides: never a 500.
            if db::value_conflict(&e) {
                ApiError::conflict(
                    ErrorCode::TokenValueConflict,
                    "this token's secret is also registered as another token's; revoke the other token, then rotate this one",
                )
            } else {
                e.into()
            }
        })?
        .ok_or_else(|| {
            ApiError::conflict(
                ErrorCode::NotRotatable,
                "the token changed while it was being rotated (rotated, revoked, reassigned or deleted); reload it and try again",
            )
        })?;
    Ok(json(
        200,
        &CreatedToken {
            token: to_api(row, cx.now)?,
            secret: secret.expose().to_owned(),
        },
    ))
}
