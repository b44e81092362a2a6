//! `GET` and `PUT /api/settings/token-policy`: the organisation's token lifetime policy, which
//! everyone who makes tokens reads and only the Owner, in person, sets.

use crate::context::Ctx;
use crate::db;
use crate::error::ApiError;
use crate::http::read_json;
use crate::response::json;
use shared::api::{TokenPolicyRequest, TokenPolicySettings};
use shared::roles::may_set_token_policy;
use shared::time::Timestamp;
use shared::token_policy::{TokenPolicy, BOOTSTRAP_EXEMPT};
use worker::Response;

fn answer(policy: &TokenPolicy, updated_at: Option<i64>, now: i64) -> TokenPolicySettings {
    TokenPolicySettings {
        max_lifetime: policy.max_lifetime(),
        require_expiry: policy.require_expiry,
        latest_expiry: policy
            .max_lifetime_days
            .and_then(|_| Timestamp::from_millis(policy.latest_expiry(now))),
        summary: policy.describe(),
        exempt: BOOTSTRAP_EXEMPT.to_owned(),
        updated_at: updated_at.and_then(Timestamp::from_millis),
    }
}

pub async fn get(cx: &Ctx<'_>) -> Result<Response, ApiError> {
    let stored = db::token_policy::get(&cx.db).await?;
    Ok(json(
        200,
        &answer(&stored.policy, stored.updated_at, cx.now),
    ))
}

/// Sets the policy. Tokens already beyond it keep working: the list marks them (`policy=
/// beyond`), and ending them is a person's decision, never this call's.
pub async fn set(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    if !may_set_token_policy(cx.who.role) {
        return Err(ApiError::forbidden(
            "only the Owner sets the organisation's token lifetime policy",
        ));
    }
    let body: TokenPolicyRequest = read_json(cx.req).await?;
    let policy = TokenPolicy::parse(body.max_lifetime.as_deref(), body.require_expiry)
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let before = db::token_policy::get(&cx.db).await?;
    if before.policy == policy {
        return Ok(json(200, &answer(&policy, before.updated_at, cx.now)));
    }
    let detail = format!(
        "token lifetime policy: {} \u{2192} {}",
        before.policy.describe(),
        policy.describe()
    );
    db::token_policy::set(&cx.db, &policy, &detail, cx.now, &cx.audit_actor()).await?;
    Ok(json(200, &answer(&policy, Some(cx.now), cx.now)))
}
