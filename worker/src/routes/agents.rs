//! Agents: the fleet as people see it (`GET /api/agents`). What agents call themselves is
//! `crate::agent`.

use crate::context::Ctx;
use crate::db;
use crate::error::ApiError;
use crate::response::json;
use shared::agent::AgentState;
use shared::api::{Agent, AgentList};
use worker::Response;

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
