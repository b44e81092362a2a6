//! The daily run (a Cron Trigger in `wrangler.toml`): the expiry notice to
//! `EXPIRY_WEBHOOK_URL`, housekeeping in bounded batches, and sealing the audit log. Every
//! step logs what it did; a failing step is logged and does not stop the others.

use crate::db;
use crate::platform::now_ms;
use shared::listing::EXPIRING_SOON_MS;
use shared::time::Timestamp;
use shared::token::hint_from_last4;
use worker::{D1Database, Env, Fetch, Headers, Method, Request, RequestInit};

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
    match db::schedule::housekeeping(&db, now).await {
        Ok(purged) => worker::console_log!(
            "scheduled run: purged {} expired sessions, {} old failed sign-ins and password checks, {} agents not seen for 30 days",
            purged.sessions,
            purged.failures,
            purged.agents
        ),
        Err(e) => worker::console_error!("scheduled run: housekeeping failed: {e}"),
    }
    match crate::forward::seal_and_forward(&db, env).await {
        Ok(n) => worker::console_log!("scheduled run: sealed {n} audit entries"),
        Err(e) => worker::console_error!("scheduled run: sealing the audit log failed: {e}"),
    }
}

/// Posts the active tokens that expire within 7 days to `EXPIRY_WEBHOOK_URL` (when set and
/// there are any), tries once more if that fails, and records a delivery in each one's history.
async fn expiry_notice(env: &Env, db: &D1Database, now: i64) -> worker::Result<String> {
    let url = match crate::platform::url_setting(env, "EXPIRY_WEBHOOK_URL") {
        Ok(Some(url)) => url,
        Ok(None) => return Ok("EXPIRY_WEBHOOK_URL is not set".into()),
        Err(problem) => {
            return Err(worker::Error::RustError(format!(
                "{problem}; no notice sent"
            )))
        }
    };
    let mut tokens = db::schedule::expiring_soon(db, now).await?;
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
    let secret = crate::platform::setting(env, "EXPIRY_WEBHOOK_SECRET");
    for _attempt in 0..2 {
        match post(url.trim(), &body, secret.as_deref()).await {
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
    db::schedule::record_notice(db, &ids, now).await?;
    Ok(format!("{} expiring tokens delivered", tokens.len()))
}

/// Posts the notice, signed as GitHub signs webhooks (`X-Signature-256: sha256=<HMAC-SHA-256
/// of the body under EXPIRY_WEBHOOK_SECRET>`) when that secret is set.
async fn post(url: &str, body: &str, secret: Option<&str>) -> worker::Result<u16> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    if let Some(secret) = secret {
        headers.set(
            "X-Signature-256",
            &crate::forward::signature(secret, body.as_bytes()),
        )?;
    }
    headers.set("User-Agent", "telegraf-token-manager expiry notice")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(url, &init)?;
    Ok(Fetch::Request(request).send().await?.status_code())
}
