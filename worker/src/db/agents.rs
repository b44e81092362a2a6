//! The `agents` table: what each agent's last heartbeat said, keyed by the agent's id within
//! the owner of the token it reported with.

use serde::Deserialize;
use shared::time::Timestamp;
use shared::TokenId;
use worker::{query, D1Database};

pub struct Beat<'a> {
    /// The reporting token's owner (`""` for the instance's bootstrap token).
    pub owner_key: &'a str,
    pub id: &'a str,
    pub hostname: Option<&'a str>,
    pub version: &'a str,
    pub status: Option<&'a str>,
    pub metrics: Option<i64>,
    pub configurations: &'a str,
    pub now: i64,
    pub token_id: &'a str,
    pub ip: Option<&'a str>,
}

/// Records a heartbeat. Another owner's agent with the same id is a different row, so a token
/// can only ever overwrite what its own owner's tokens reported.
pub async fn upsert(db: &D1Database, b: &Beat<'_>) -> worker::Result<()> {
    query!(
        db,
        "INSERT INTO agents (owner_key, id, hostname, version, status, metrics, configurations, last_seen, token_id, ip) \
         VALUES (?10, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (owner_key, id) DO UPDATE SET hostname = excluded.hostname, version = excluded.version, \
         status = excluded.status, metrics = excluded.metrics, configurations = excluded.configurations, \
         interval_ms = CASE WHEN excluded.last_seen > agents.last_seen \
                            THEN excluded.last_seen - agents.last_seen ELSE agents.interval_ms END, \
         refused_at = NULL, last_seen = excluded.last_seen, token_id = excluded.token_id, ip = excluded.ip",
        b.id,
        b.hostname,
        b.version,
        b.status,
        b.metrics,
        b.configurations,
        b.now,
        b.token_id,
        b.ip,
        b.owner_key
    )?
    .run()
    .await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct AgentRow {
    pub id: String,
    pub hostname: Option<String>,
    pub version: String,
    pub status: Option<String>,
    pub metrics: Option<i64>,
    pub configurations: String,
    pub last_seen: Timestamp,
    pub interval_ms: Option<i64>,
    pub refused_at: Option<i64>,
    pub token_id: Option<TokenId>,
    pub token_name: Option<String>,
    pub ip: Option<String>,
}

/// Agents, most recently seen first; with `owner`, only those that user's tokens reported.
pub async fn list(db: &D1Database, owner: Option<&str>) -> worker::Result<Vec<AgentRow>> {
    query!(
        db,
        "SELECT a.id AS id, a.hostname AS hostname, a.version AS version, a.status AS status, a.metrics AS metrics, \
         a.configurations AS configurations, a.last_seen AS last_seen, a.interval_ms AS interval_ms, \
         a.refused_at AS refused_at, a.token_id AS token_id, t.name AS token_name, \
         a.ip AS ip FROM agents a LEFT JOIN tokens t ON t.id = a.token_id \
         WHERE (?1 IS NULL OR a.owner_key = ?1) ORDER BY a.last_seen DESC LIMIT 1000",
        owner
    )?
    .all()
    .await?
    .results()
}
