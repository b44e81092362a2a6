//! What the daily run reads and writes: the tokens the expiry notice names, the record that
//! it named them, and housekeeping in bounded batches.

use super::statement::Values;
use serde::{Deserialize, Serialize};
use shared::actor::ActorKind;
use shared::agent::AGENT_FORGOTTEN_AFTER_MS;
use shared::api::EventKind;
use shared::throttle::{PASSWORD_CHECKS, PER_DEVICE, SIGN_IN_RETENTION_MS};
use shared::time::Timestamp;
use shared::token_state::{Rule, Tables};
use worker::{query, D1Database};

/// One token in the expiry notice.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Expiring {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing)]
    pub last4: String,
    #[serde(skip_deserializing)]
    pub hint: String,
    pub owner_username: Option<String>,
    pub owner_name: Option<String>,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    #[serde(skip_deserializing)]
    pub days_left: i64,
}

/// The tokens that work now and stop within 7 days (`Rule::expiring_soon`, the list's
/// Expiring soon filter too), soonest first.
pub async fn expiring_soon(db: &D1Database, now: i64) -> worker::Result<Vec<Expiring>> {
    let mut v = Values::new();
    let condition = Rule::expiring_soon(now).sql(&Tables::JOINED, &mut |x| v.bound(x));
    v.prepare(
        db,
        &format!(
            "SELECT t.id AS id, t.name AS name, t.last4 AS last4, u.username AS owner_username, \
             u.display_name AS owner_name, t.expires_at AS expires_at, t.last_used_at AS last_used_at \
             FROM tokens t LEFT JOIN users u ON u.id = t.owner_id \
             WHERE {condition} ORDER BY t.expires_at, t.id"
        ),
    )?
    .all()
    .await?
    .results()
}

/// A "named in the expiry notice" event in the history of each of `ids` still there.
pub async fn record_notice(db: &D1Database, ids: &[&str], now: i64) -> worker::Result<()> {
    query!(
        db,
        "INSERT INTO token_events (token_id, at, kind, actor_kind, detail) \
         SELECT value, ?2, ?4, ?3, 'named in the expiry notice sent to the webhook' \
         FROM json_each(?1) WHERE EXISTS (SELECT 1 FROM tokens WHERE id = value)",
        serde_json::to_string(ids)?,
        now,
        ActorKind::System.as_str(),
        EventKind::ExpiryNotice.as_str()
    )?
    .run()
    .await?;
    Ok(())
}

pub struct Purged {
    pub sessions: usize,
    /// Sign-in and password-check failures older than their windows.
    pub failures: usize,
    pub agents: usize,
}

/// Rows removed per statement, and statements per table per run: a large backlog is cleared
/// over several days rather than in one long write that holds the database.
const PURGE_BATCH: u32 = 1000;
const PURGE_ROUNDS: u32 = 20;

pub async fn housekeeping(db: &D1Database, now: i64) -> worker::Result<Purged> {
    let sessions = purge(db, "sessions", "expires_at <= ?1", now).await?;
    let mut failures = 0;
    for (table, window_ms) in [
        ("signin_failures", SIGN_IN_RETENTION_MS),
        ("device_failures", PER_DEVICE.window_ms),
        ("password_check_failures", PASSWORD_CHECKS.window_ms),
    ] {
        failures += purge(db, table, "at <= ?1", now - window_ms).await?;
    }
    let agents = purge(
        db,
        "agents",
        "last_seen <= ?1",
        now - AGENT_FORGOTTEN_AFTER_MS,
    )
    .await?;
    Ok(Purged {
        sessions,
        failures,
        agents,
    })
}

async fn purge(db: &D1Database, table: &str, condition: &str, bound: i64) -> worker::Result<usize> {
    let mut total = 0;
    for _ in 0..PURGE_ROUNDS {
        let result = query!(
            db,
            &format!(
                "DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {condition} LIMIT {PURGE_BATCH})"
            ),
            bound
        )?
        .run()
        .await?;
        let n = super::changes(&result)?;
        total += n;
        if n < PURGE_BATCH as usize {
            break;
        }
    }
    Ok(total)
}
