//! Agents: Telegraf's heartbeats in (`POST /agents/heartbeat`), the fleet out (`GET /api/agents`).

use crate::auth::Presented;
use crate::context::Ctx;
use crate::db::{self, agents::Beat};
use crate::error::ApiError;
use crate::http::{client_ip, read_json};
use crate::response::{json, no_content};
use shared::agent::AgentState;
use shared::api::{Agent, AgentList};
use shared::heartbeat::Heartbeat;
use worker::{D1PreparedStatement, Request, Response};

/// The heartbeat's body, read and checked before the token lookup so that recording it can
/// travel in the lookup's round trip. The caller answers an error here only once the token
/// is known to work and to allow heartbeats, as if the body had been read after.
pub async fn read_beat(req: &mut Request) -> Result<Heartbeat, ApiError> {
    let body: Heartbeat = read_json(req).await?;
    body.check()
        .map_err(|m| ApiError::invalid(format!("invalid heartbeat: {m}")))?;
    Ok(body)
}

/// The statement that records `body` for the presented token, guarded so that it writes
/// nothing unless that token works and may write heartbeats.
pub fn record_statement(
    cx: &Ctx<'_, ()>,
    body: &Heartbeat,
    presented: &Presented<'_>,
) -> worker::Result<D1PreparedStatement> {
    let configurations = serde_json::to_string(body.configurations.as_deref().unwrap_or_default())?;
    let ip = client_ip(cx.req);
    let beat = Beat {
        id: body.id.trim(),
        hostname: body.hostname.as_deref(),
        version: &body.version,
        status: body.status.map(|s| s.as_str()),
        metrics: body.metrics,
        configurations: &configurations,
        ip: ip.as_deref(),
    };
    db::agents::record(
        &cx.db,
        &beat,
        presented.hash,
        presented.owner_token_hash,
        presented.now,
    )
}

/// `POST /agents/heartbeat`: recorded in the token lookup's batch (see the dispatcher), in the
/// same round trip that authenticated it; nothing is left to do but answer.
pub fn heartbeat(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    match cx.prefetched.take() {
        Some(_) => Ok(no_content()),
        None => Err(ApiError::Internal(
            "a heartbeat reached its handler without being recorded".into(),
        )),
    }
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
