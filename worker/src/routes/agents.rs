//! Agents: Telegraf's heartbeats in (`POST /agents/heartbeat`), the fleet out (`GET /api/agents`).

use crate::auth::Principal;
use crate::db::{self, agents::Beat};
use crate::error::ApiError;
use crate::http::{client_ip, json, no_content, read_json};
use crate::platform::now_ms;
use shared::api::{Agent, AgentList};
use shared::heartbeat::Heartbeat;
use shared::time::rfc3339_from_millis;
use shared::ErrorCode;
use worker::{Env, Request, Response};

pub async fn heartbeat(
    req: &mut Request,
    env: &Env,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let body: Heartbeat = read_json(req).await?;
    body.check().map_err(|m| {
        ApiError::client(ErrorCode::InvalidRequest, format!("invalid heartbeat: {m}"))
    })?;
    let Some(token) = principal.token() else {
        return Err(ApiError::client(
            ErrorCode::InvalidToken,
            "Missing or invalid Authorization header",
        ));
    };
    let configurations = serde_json::to_string(&body.configurations.clone().unwrap_or_default())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let ip = client_ip(req);
    let beat = Beat {
        owner_key: principal.user_id.as_deref().unwrap_or_default(),
        id: body.id.trim(),
        hostname: body.hostname.as_deref(),
        version: &body.version,
        status: body.status.map(|s| s.as_str()),
        metrics: body.metrics,
        configurations: &configurations,
        now: now_ms(),
        token_id: &token.id,
        ip: ip.as_deref(),
    };
    db::agents::upsert(&db::database(env)?, &beat).await?;
    Ok(no_content())
}

pub async fn list(env: &Env, principal: &Principal) -> Result<Response, ApiError> {
    let rows = db::agents::list(&db::database(env)?, principal.token_scope()).await?;
    let items = rows
        .into_iter()
        .map(|r| Agent {
            configurations: serde_json::from_str(&r.configurations).unwrap_or_default(),
            last_seen: rfc3339_from_millis(r.last_seen).unwrap_or_default(),
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
