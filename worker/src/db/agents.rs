//! The `agents` table: what each agent's last heartbeat said, keyed by the agent's id within
//! the owner of the token it reported with.

use super::statement::Values;
use serde::Deserialize;
use shared::addresses;
use shared::agent::{AgentQuery, BEAT_WRITE_EVERY_MS};
use shared::permissions::{Action, Resource};
use shared::time::Timestamp;
use shared::token_state::{Opens, Tables};
use shared::TokenId;
use shared::UserId;
use worker::{D1Database, D1PreparedStatement};

/// A heartbeat as the agents table stores it.
pub struct Beat<'a> {
    pub id: &'a str,
    pub hostname: Option<&'a str>,
    pub version: &'a str,
    pub status: Option<&'a str>,
    pub metrics: Option<i64>,
    /// The configuration names, as a JSON array.
    pub configurations: &'a str,
    pub ip: Option<&'a str>,
}

/// Records a heartbeat from the token whose hash is `token_hash`, in a statement that can run
/// in the token lookup's own batch: it writes only when that token opens for heartbeats
/// (`shared::token_state::Opens`, the rule the Rust path decides by too) from an address its
/// allow-list admits (`shared::addresses::sql`, as `auth::judge` decides), under the token
/// owner's key (`""` for the instance's bootstrap token), so a token can only ever overwrite
/// what its own owner's tokens reported.
pub fn record(
    db: &D1Database,
    b: &Beat<'_>,
    token_hash: &str,
    owner_token_hash: Option<&str>,
    now: i64,
) -> worker::Result<D1PreparedStatement> {
    let mut v = Values::new();
    let columns = [
        v.text(Some(b.id)),
        v.text(b.hostname),
        v.text(Some(b.version)),
        v.text(b.status),
        match b.metrics {
            Some(m) => v.number(m),
            None => v.text(None),
        },
        v.text(Some(b.configurations)),
        v.number(now),
    ]
    .join(", ");
    let ip = v.text(b.ip);
    let hash = v.text(Some(token_hash));
    let client = v.text(addresses::client_bits(b.ip).as_deref());
    let from_allowed = addresses::sql("t.allowed_addresses", &client);
    let quiet = v.number(BEAT_WRITE_EVERY_MS);
    let opens = Opens {
        resource: Resource::Heartbeat,
        action: Action::Write,
        now,
        presented: token_hash,
        configured: owner_token_hash,
    }
    .sql(&Tables::JOINED, &mut |value| v.bound(value));
    v.prepare(
        db,
        &format!(
            "INSERT INTO agents (owner_key, id, hostname, version, status, metrics, configurations, \
             last_seen, token_id, ip) \
             SELECT COALESCE(t.owner_id, ''), {columns}, t.id, {ip} \
             FROM tokens t LEFT JOIN users u ON u.id = t.owner_id \
             WHERE (t.token_hash = {hash} OR t.previous_hash = {hash}) AND {opens} AND {from_allowed} \
             ON CONFLICT (owner_key, id) DO UPDATE SET hostname = excluded.hostname, \
             version = excluded.version, status = excluded.status, metrics = excluded.metrics, \
             configurations = excluded.configurations, \
             interval_ms = CASE WHEN excluded.last_seen > agents.last_seen \
                                THEN excluded.last_seen - agents.last_seen ELSE agents.interval_ms END, \
             refused_at = NULL, last_seen = excluded.last_seen, token_id = excluded.token_id, \
             ip = excluded.ip \
             WHERE agents.last_seen <= excluded.last_seen - {quiet} OR agents.refused_at IS NOT NULL \
             OR agents.version IS NOT excluded.version OR agents.status IS NOT excluded.status \
             OR agents.configurations IS NOT excluded.configurations \
             OR agents.hostname IS NOT excluded.hostname OR agents.token_id IS NOT excluded.token_id"
        ),
    )
}

#[derive(Debug, Deserialize)]
pub struct AgentRow {
    pub owner_key: String,
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

/// One page of agents, most recently seen first (one more than `query.limit`, so the caller
/// knows whether a next page exists); with `owner`, only those that user's tokens reported.
/// Without an index on `last_seen` (every heartbeat would rewrite it: see `agents` in the
/// schema) a page sorts the scope's agents; one token's agents are found by `agents_by_token`.
pub async fn list(
    db: &D1Database,
    owner: Option<UserId>,
    query: &AgentQuery,
    now: i64,
) -> worker::Result<Vec<AgentRow>> {
    let mut v = Values::new();
    let mut conditions = query.filter.sql(now, &mut |b| v.bound(b));
    if owner.is_some() {
        conditions.push(format!("a.owner_key = {}", v.id(owner)));
    }
    if query.token.is_some() {
        conditions.push(format!("a.token_id = {}", v.id(query.token)));
    }
    if let Some(after) = &query.after {
        let (at, key, id) = (
            v.number(after.last_seen),
            v.text(Some(&after.owner_key)),
            v.text(Some(&after.id)),
        );
        conditions.push(format!(
            "(a.last_seen < {at} OR (a.last_seen = {at} AND (a.owner_key > {key} OR (a.owner_key = {key} AND a.id > {id}))))"
        ));
    }
    let filters = match conditions.is_empty() {
        true => String::new(),
        false => format!("WHERE {}", conditions.join(" AND ")),
    };
    let limit = v.number(i64::from(query.limit) + 1);
    v.prepare(
        db,
        &format!(
            "SELECT a.owner_key AS owner_key, a.id AS id, a.hostname AS hostname, a.version AS version, \
             a.status AS status, a.metrics AS metrics, a.configurations AS configurations, \
             a.last_seen AS last_seen, a.interval_ms AS interval_ms, a.refused_at AS refused_at, \
             a.token_id AS token_id, t.name AS token_name, a.ip AS ip \
             FROM agents a LEFT JOIN tokens t ON t.id = a.token_id {filters} \
             ORDER BY a.last_seen DESC, a.owner_key, a.id LIMIT {limit}"
        ),
    )?
    .all()
    .await?
    .results()
}
