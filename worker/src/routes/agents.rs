//! Agents: Telegraf's heartbeats in (`POST /agents/heartbeat`), the fleet out (`GET /api/agents`).

use crate::context::Ctx;
use crate::db::{self, agents::Beat};
use crate::error::ApiError;
use crate::http::{client_ip, read_json};
use crate::response::{json, no_content};
use shared::agent::AgentState;
use shared::api::{Agent, AgentList};
use shared::heartbeat::Heartbeat;
use worker::Response;

pub async fn heartbeat(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let body: Heartbeat = read_json(cx.req).await?;
    body.check()
        .map_err(|m| ApiError::invalid(format!("invalid heartbeat: {m}")))?;
    // The route admits API tokens only (Access::Agent); a token is always there.
    let Some(token) = cx.who.token() else {
        return Err(ApiError::token_refused(
            "Missing or invalid Authorization header",
        ));
    };
    let configurations = serde_json::to_string(&body.configurations.clone().unwrap_or_default())?;
    let ip = client_ip(cx.req);
    let beat = Beat {
        owner_key: cx.who.user_id.as_deref().unwrap_or_default(),
        id: body.id.trim(),
        hostname: body.hostname.as_deref(),
        version: &body.version,
        status: body.status.map(|s| s.as_str()),
        metrics: body.metrics,
        configurations: &configurations,
        now: cx.now,
        token_id: &token.id,
        ip: ip.as_deref(),
    };
    db::agents::upsert(&cx.db, &beat).await?;
    Ok(no_content())
}

pub async fn list(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let rows = db::agents::list(&cx.db, cx.who.token_scope()).await?;
    let items = rows
        .into_iter()
        .map(|r| Agent {
            configurations: serde_json::from_str(&r.configurations).unwrap_or_default(),
            state: AgentState::derive(r.last_seen.millis(), r.interval_ms, r.refused_at, cx.now),
            last_seen: r.last_seen,
            id: r.id,
            hostname: r.hostname,
            version: r.version,
            status: r.status,
            metrics: r.metrics,
            token_id: r.token_id,
            token_name: r.token_name,
            ip: r.ip,
        })
        .collect();
    Ok(json(200, &AgentList { items }))
}
