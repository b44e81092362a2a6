//! Agents: the fleet as people see it (`GET /api/agents`). What agents call themselves is
//! `crate::agent`.

use crate::context::Ctx;
use crate::db;
use crate::error::ApiError;
use crate::response::json;
use shared::agent::{AgentCursor, AgentQuery, AgentState};
use shared::api::{Agent, AgentList};
use worker::Response;

pub async fn list(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let pairs = crate::http::query_pairs(cx.req)?;
    let query = AgentQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(ApiError::invalid)?;
    let mut rows = db::agents::list(&cx.db, cx.who.token_scope(), &query, cx.now).await?;
    let next_cursor = if rows.len() > query.limit as usize {
        rows.truncate(query.limit as usize);
        rows.last().map(|last| {
            AgentCursor {
                last_seen: last.last_seen.millis(),
                owner_key: last.owner_key.clone(),
                id: last.id.clone(),
            }
            .encode()
        })
    } else {
        None
    };
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
    Ok(json(200, &AgentList { items, next_cursor }))
}
