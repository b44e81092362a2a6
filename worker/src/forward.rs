//! Forwarding the audit log to `AUDIT_WEBHOOK_URL` through Cloudflare Queues. Sealing hands
//! each newly sealed entry's `seq` to the `AUDIT_QUEUE` queue (off every caller's path); the
//! queue's consumer posts them in batches, signed like GitHub's webhooks
//! (`X-Signature-256: sha256=<HMAC-SHA-256 of the body under AUDIT_WEBHOOK_SECRET>`), and asks
//! the queue to try again after the receiver's `Retry-After`, or a back-off, when it fails.
//! After five tries a batch goes to the dead-letter queue, whose consumer counts it; the state
//! is one row (`audit_forwarding`) that the Audit page shows.

use crate::db;
use crate::error::ApiError;
use crate::platform::{setting, url_setting};
use serde::{Deserialize, Serialize};
use shared::audit::export::ExportLine;
use shared::audit::key::hmac_sha256_hex;
use shared::audit::AuditForwarding;
use shared::time::Timestamp;
use wasm_bindgen::JsValue;
use worker::{
    D1Database, Env, Fetch, Headers, MessageBatch, Method, QueueRetryOptionsBuilder, Request,
    RequestInit,
};

/// The queue's message: the entry to deliver.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Forward {
    pub seq: i64,
}

/// The most messages one `sendBatch` takes.
const SEND_BATCH: usize = 100;

/// A setting from a secret, or a variable locally; `None` when unset or blank.
/// `X-Signature-256`'s value for `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hmac_sha256_hex(secret.as_bytes(), body))
}

#[derive(Deserialize)]
struct State {
    enqueued_upto: i64,
    delivered: i64,
    dead: i64,
    failures: i64,
    last_delivered_at: Option<i64>,
    last_error: Option<String>,
}

async fn state(db: &D1Database) -> worker::Result<Option<State>> {
    db.prepare("SELECT enqueued_upto, delivered, dead, failures, last_delivered_at, last_error FROM audit_forwarding WHERE id = 1")
        .first(None)
        .await
}

/// Seals the audit log, then hands what was sealed since the last hand-over to the queue.
pub async fn seal_and_forward(db: &D1Database, env: &Env) -> worker::Result<usize> {
    let sealed = db::audit::seal_with(db, env).await?;
    enqueue(db, env).await?;
    Ok(sealed)
}

/// Hands every sealed entry after the last one handed over to the queue, when forwarding is
/// configured. The hand-over is claimed first (so two at once do not both send) and given
/// back if the queue refuses it, so nothing is skipped.
pub async fn enqueue(db: &D1Database, env: &Env) -> worker::Result<()> {
    match url_setting(env, "AUDIT_WEBHOOK_URL") {
        Ok(Some(_)) => {}
        Ok(None) => return Ok(()),
        Err(problem) => {
            // Nothing is handed over until it is fixed; the entries wait in the log.
            worker::console_error!("{problem}: audit entries are not forwarded until it is fixed");
            return Ok(());
        }
    }
    let Some(from) = state(db).await?.map(|s| s.enqueued_upto) else {
        return Ok(());
    };
    let head = db::audit::sealed_head(db).await?;
    if head <= from {
        return Ok(());
    }
    let claim = db
        .prepare(
            "UPDATE audit_forwarding SET enqueued_upto = ?2 WHERE id = 1 AND enqueued_upto = ?1",
        )
        .bind(&[(from as f64).into(), (head as f64).into()])?
        .run()
        .await?;
    if claim.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Ok(()); // another hand-over got there first
    }
    let queue = env.queue("AUDIT_QUEUE")?;
    let seqs: Vec<Forward> = (from + 1..=head).map(|seq| Forward { seq }).collect();
    for chunk in seqs.chunks(SEND_BATCH) {
        if let Err(e) = queue.send_batch(chunk.to_vec()).await {
            // Given back from the first seq not handed over; a later seal tries again.
            let first = chunk.first().map_or(head, |f| f.seq) - 1;
            db.prepare("UPDATE audit_forwarding SET enqueued_upto = ?1 WHERE id = 1 AND enqueued_upto = ?2")
                .bind(&[(first as f64).into(), (head as f64).into()])?
                .run()
                .await?;
            return Err(e);
        }
    }
    Ok(())
}

/// The queue consumer: a batch from `audit-forward` is posted to the receiver; one from the
/// dead-letter queue is counted there.
pub async fn consume(batch: MessageBatch<Forward>, env: &Env) -> worker::Result<()> {
    let db = db::database(env)?;
    let seqs: Vec<i64> = batch.messages()?.iter().map(|m| m.body().seq).collect();
    if batch.queue().ends_with("-dlq") {
        db.prepare("UPDATE audit_forwarding SET dead = dead + ?1 WHERE id = 1")
            .bind(&[(seqs.len() as f64).into()])?
            .run()
            .await?;
        batch.ack_all();
        return Ok(());
    }
    let url = match url_setting(env, "AUDIT_WEBHOOK_URL") {
        Ok(Some(url)) => Ok(url),
        // Forwarding was switched off meanwhile: nothing to deliver to; the entries stay in
        // the log.
        Ok(None) => {
            batch.ack_all();
            return Ok(());
        }
        // Changed to something that is not a URL meanwhile: a failed try like any other.
        Err(problem) => Err(problem),
    };
    let mut entries: Vec<ExportLine> = db::audit::by_seq(&db, &seqs)
        .await?
        .into_iter()
        .filter_map(ExportLine::of)
        .collect();
    entries.sort_by_key(|e| e.seq);
    let body = serde_json::json!({ "event": "audit_entries", "entries": entries }).to_string();
    let secret = setting(env, "AUDIT_WEBHOOK_SECRET");
    let outcome = match &url {
        Ok(url) => post(url, &body, secret.as_deref())
            .await
            .map_err(|e| format!("the receiver could not be reached: {e}")),
        Err(problem) => Err(problem.clone()),
    };
    match outcome {
        Ok((status, _)) if (200..300).contains(&status) => {
            db.prepare(
                "UPDATE audit_forwarding SET delivered = delivered + ?1, failures = 0, \
                 last_delivered_at = ?2, last_error = NULL WHERE id = 1",
            )
            .bind(&[
                (entries.len() as f64).into(),
                (crate::platform::now_ms() as f64).into(),
            ])?
            .run()
            .await?;
            batch.ack_all();
        }
        outcome => {
            let (error, retry_after) = match outcome {
                Ok((status, retry_after)) => {
                    (format!("the receiver answered {status}"), retry_after)
                }
                Err(e) => (e, None),
            };
            let failures = state(&db).await?.map_or(0, |s| s.failures) + 1;
            db.prepare("UPDATE audit_forwarding SET failures = ?1, last_error = ?2 WHERE id = 1")
                .bind(&[(failures as f64).into(), error.as_str().into()])?
                .run()
                .await?;
            // The receiver's Retry-After first (up to an hour), else 2, 4, 8… seconds, up to 5
            // minutes.
            let delay = retry_after
                .map(|s| s.min(3_600))
                .unwrap_or_else(|| 1u32 << failures.clamp(1, 8) as u32)
                .min(3_600);
            batch.retry_all_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(delay)
                    .build(),
            );
        }
    }
    Ok(())
}

/// Posts `body`, signed when a secret is set: the status and a `Retry-After` in seconds.
async fn post(url: &str, body: &str, secret: Option<&str>) -> worker::Result<(u16, Option<u32>)> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    headers.set("User-Agent", "telegraf-token-manager audit forwarding")?;
    if let Some(secret) = secret {
        headers.set("X-Signature-256", &signature(secret, body.as_bytes()))?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(JsValue::from_str(body)));
    let response = Fetch::Request(Request::new_with_init(url, &init)?)
        .send()
        .await?;
    let retry_after = response
        .headers()
        .get("Retry-After")?
        .and_then(|v| v.trim().parse::<u32>().ok());
    Ok((response.status_code(), retry_after))
}

/// `GET /api/audit/forwarding`'s answer; 503 naming `AUDIT_WEBHOOK_URL` when it is set to
/// something that is not a URL.
pub async fn status(db: &D1Database, env: &Env) -> Result<AuditForwarding, ApiError> {
    let configured = url_setting(env, "AUDIT_WEBHOOK_URL")
        .map_err(|problem| {
            ApiError::misconfigured(format!(
                "{problem}: audit entries are not forwarded until it is fixed"
            ))
        })?
        .is_some();
    let head = db::audit::sealed_head(db).await?;
    let s = state(db).await?;
    let (delivered, dead) = s.as_ref().map_or((0, 0), |s| (s.delivered, s.dead));
    Ok(AuditForwarding {
        configured,
        waiting: if configured {
            (head - delivered - dead).max(0) as u64
        } else {
            0
        },
        delivered: delivered.max(0) as u64,
        dead_lettered: dead.max(0) as u64,
        last_delivered_at: s
            .as_ref()
            .and_then(|s| s.last_delivered_at)
            .and_then(Timestamp::from_millis),
        last_error: s.and_then(|s| s.last_error),
    })
}
