//! The daily run (a Cron Trigger in `wrangler.toml`): the expiry notice to
//! `EXPIRY_WEBHOOK_URL`, housekeeping in bounded batches, and sealing the audit log. Every
//! step logs what it did; a failing step is logged and does not stop the others.

use crate::db;
use crate::platform::now_ms;
use serde::{Deserialize, Serialize};
use shared::agent::AGENT_FORGOTTEN_AFTER_MS;
use shared::listing::EXPIRING_SOON_MS;
use shared::throttle::{PASSWORD_CHECKS, PER_DEVICE, SIGN_IN_RETENTION_MS};
use shared::time::Timestamp;
use shared::token::hint_from_last4;
use worker::{query, D1Database, Env, Fetch, Headers, Method, Request, RequestInit};

pub async fn run(env: &Env) {
    let db = match db::database(env) {
        Ok(db) => db,
        Err(e) => return worker::console_error!("scheduled run: no database: {e}"),
    };
    let now = now_ms();
    match expiry_notice(env, &db, now).await {
        Ok(outcome) => worker::console_log!("scheduled run: expiry notice: {outcome}"),
        Err(e) => worker::console_error!("scheduled run: expiry notice failed: {e}"),
    }
    match housekeeping(&db, now).await {
        Ok(purged) => worker::console_log!(
            "scheduled run: purged {} expired sessions, {} old failed sign-ins and password checks, {} agents not seen for 30 days",
            purged.sessions,
            purged.failures,
            purged.agents
        ),
        Err(e) => worker::console_error!("scheduled run: housekeeping failed: {e}"),
    }
    match db::audit::seal(&db).await {
        Ok(n) => worker::console_log!("scheduled run: sealed {n} audit entries"),
        Err(e) => worker::console_error!("scheduled run: sealing the audit log failed: {e}"),
    }
}

/// One token in the expiry notice.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all(serialize = "camelCase"))]
struct Expiring {
    id: String,
    name: String,
    #[serde(skip_serializing)]
    last4: String,
    #[serde(skip_deserializing)]
    hint: String,
    owner_username: Option<String>,
    owner_name: Option<String>,
    expires_at: Timestamp,
    last_used_at: Option<Timestamp>,
    #[serde(skip_deserializing)]
    days_left: i64,
}

/// Posts the active tokens that expire within 7 days to `EXPIRY_WEBHOOK_URL` (when set and
/// there are any), tries once more if that fails, and records a delivery in each one's history.
async fn expiry_notice(env: &Env, db: &D1Database, now: i64) -> worker::Result<String> {
    let Some(url) = env
        .var("EXPIRY_WEBHOOK_URL")
        .ok()
        .map(|v| v.to_string())
        .or_else(|| env.secret("EXPIRY_WEBHOOK_URL").ok().map(|s| s.to_string()))
        .filter(|u| !u.trim().is_empty())
    else {
        return Ok("EXPIRY_WEBHOOK_URL is not set".into());
    };
    let mut tokens: Vec<Expiring> = query!(
        db,
        "SELECT t.id AS id, t.name AS name, t.last4 AS last4, u.username AS owner_username, \
         u.display_name AS owner_name, t.expires_at AS expires_at, t.last_used_at AS last_used_at \
         FROM tokens t LEFT JOIN users u ON u.id = t.owner_id \
         WHERE t.revoked_at IS NULL AND t.expires_at > ?1 AND t.expires_at <= ?2 \
         AND COALESCE(u.disabled, 0) = 0 ORDER BY t.expires_at, t.id",
        now,
        now + EXPIRING_SOON_MS
    )?
    .all()
    .await?
    .results()?;
    if tokens.is_empty() {
        return Ok("no token expires within 7 days; nothing sent".into());
    }
    for t in &mut tokens {
        t.hint = hint_from_last4(&t.last4);
        t.days_left = shared::expiry::days_left(t.expires_at.millis(), now);
    }
    let body = serde_json::json!({
        "event": "tokens_expiring",
        "generatedAt": Timestamp::from_millis(now),
        "withinDays": EXPIRING_SOON_MS / 86_400_000,
        "tokens": tokens,
    })
    .to_string();
    let mut last_error = String::new();
    let mut delivered = false;
    for _attempt in 0..2 {
        match post(url.trim(), &body).await {
            Ok(status) if (200..300).contains(&status) => {
                delivered = true;
                break;
            }
            Ok(status) => last_error = format!("the webhook answered {status}"),
            Err(e) => last_error = e.to_string(),
        }
    }
    if !delivered {
        return Err(worker::Error::RustError(format!(
            "{} tokens expiring, not delivered after a retry: {last_error}",
            tokens.len()
        )));
    }
    let ids: Vec<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
    query!(
        db,
        "INSERT INTO token_events (token_id, at, kind, actor_kind, detail) \
         SELECT value, ?2, 'expiry_notice', ?3, 'named in the expiry notice sent to the webhook' \
         FROM json_each(?1) WHERE EXISTS (SELECT 1 FROM tokens WHERE id = value)",
        serde_json::to_string(&ids)?,
        now,
        shared::actor::ActorKind::System.as_str()
    )?
    .run()
    .await?;
    Ok(format!("{} expiring tokens delivered", tokens.len()))
}

async fn post(url: &str, body: &str) -> worker::Result<u16> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    headers.set("User-Agent", "telegraf-token-manager expiry notice")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(url, &init)?;
    Ok(Fetch::Request(request).send().await?.status_code())
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

async fn housekeeping(db: &D1Database, now: i64) -> worker::Result<Purged> {
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
        let n = result.meta()?.and_then(|m| m.changes).unwrap_or(0);
        total += n;
        if n < PURGE_BATCH as usize {
            break;
        }
    }
    Ok(total)
}
