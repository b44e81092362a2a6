//! The agent path: what Telegraf calls (its configuration, conditionally; its heartbeat),
//! with its API token alone and SPEC 5's messages, in one round trip to D1: the token lookup
//! and the call travel in one batch (`db::agent_calls`) and come back typed. Only the first
//! request with a new `OWNER_TOKEN` takes a second one.

use crate::auth::{authorization, judge, presentation, record_token_refusal};
use crate::context::Ctx;
use crate::db::agent_calls::{Asked, Call, Outcome};
use crate::db::agents::Beat;
use crate::error::ApiError;
use crate::http::{client_ip, read_json};
use crate::response::no_content;
use crate::routes::{configs, record_use_when_due};
use shared::heartbeat::Heartbeat;
use shared::routes::Endpoint;
use shared::token::TokenHash;
use shared::token_scope::OUTSIDE_SCOPE_REFUSAL;
use shared::ConfigId;
use worker::{Context, Request, Response};

/// Answers an agent's call to `endpoint` (its path parameter `id`).
pub async fn answer(
    cx: Ctx<'_, ()>,
    worker_ctx: &Context,
    endpoint: Endpoint,
    id: &str,
) -> Result<Response, ApiError> {
    // The heartbeat's body is read before the lookup, so that recording it travels with it;
    // a malformed one is answered once the caller is known and allowed, as if read after.
    let beat = match endpoint {
        Endpoint::Heartbeat => Some(read_beat(cx.req).await),
        _ => None,
    };
    let ip = client_ip(cx.req);
    let configurations = match &beat {
        Some(Ok(body)) => {
            serde_json::to_string(body.configurations.as_deref().unwrap_or_default())?
        }
        _ => String::new(),
    };
    let call = match (endpoint, &beat) {
        (Endpoint::ConfigToml, _) => ConfigId::parse(id).map_or(Call::Nothing, Call::Download),
        (Endpoint::Heartbeat, Some(Ok(body))) => Call::Beat(Beat {
            id: body.id.trim(),
            hostname: body.hostname.as_deref(),
            version: &body.version,
            status: body.status.map(|s| s.as_str()),
            metrics: body.metrics,
            configurations: &configurations,
            ip: ip.as_deref(),
        }),
        _ => Call::Nothing,
    };

    let presented = presentation(&cx, authorization(&cx)).await?;
    let asked = Asked {
        token_hash: presented.hash.as_str(),
        configured: presented.configured.as_ref().map(TokenHash::as_str),
        now: cx.now,
        call,
    };
    let (found, outcome, cost) = asked.run(&cx.db).await?;
    let (who, installed) = judge(&cx, &presented, found).await?;
    // The lookup found no token but this request installed the bootstrap one: the call
    // found none either, and runs again.
    let outcome = match installed {
        true => asked.again(&cx.db).await?,
        false => outcome,
    };
    let cx = cx.signed_in(who);
    cx.who.check(endpoint.access())?;
    // The configuration was read in the same batch as the token; it is answered only within
    // the token's scope, and one outside it that exists is a refusal the token's history
    // keeps (not a use).
    if let (Endpoint::ConfigToml, Some(config)) = (endpoint, ConfigId::parse(id)) {
        if !cx.who.config_scope().allows(config) {
            if matches!(outcome, Outcome::Config(Some(_))) {
                record_token_refusal(&cx, OUTSIDE_SCOPE_REFUSAL).await;
            }
            return Err(ApiError::outside_config_scope());
        }
    }
    record_use_when_due(&cx, worker_ctx);

    let answer = match (endpoint, beat, outcome) {
        (Endpoint::ConfigToml, _, Outcome::Config(found)) => {
            let id = configs::config_id(id)?;
            let row = found.ok_or_else(|| ApiError::config_not_found(id))?;
            configs::toml(cx.req, row)
        }
        (Endpoint::ConfigToml, _, _) => {
            return Err(configs::config_id(id).err().unwrap_or_else(|| {
                ApiError::Internal("a configuration download ran without its read".into())
            }))
        }
        (Endpoint::Heartbeat, Some(Err(invalid)), _) => return Err(invalid),
        (Endpoint::Heartbeat, _, Outcome::Recorded) => no_content(),
        (other, _, _) => {
            return Err(ApiError::Internal(format!(
                "{other:?} reached the agent path without its call"
            )))
        }
    };
    let _ = answer.headers().set("Server-Timing", &cost.server_timing());
    Ok(answer)
}

/// The heartbeat's body, read and checked.
async fn read_beat(req: &mut Request) -> Result<Heartbeat, ApiError> {
    let body: Heartbeat = read_json(req).await?;
    body.check()
        .map_err(|m| ApiError::invalid(format!("invalid heartbeat: {m}")))?;
    Ok(body)
}
