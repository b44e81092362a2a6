//! `GET /api/audit`, `GET /api/audit/verify` and `GET /api/audit/export`: the audit log,
//! newest first; the recomputation of its hash chain; and the chain as anyone can verify it,
//! oldest first. Each seals what was appended but not yet chained first.

use crate::context::Ctx;
use crate::db;
use crate::error::ApiError;
use crate::response::json;
use shared::audit::export::{ExportLine, MAX_EXPORT};
use shared::audit::key::AuditKeys;
use shared::audit::{
    self, AuditAction, AuditEntry, AuditList, AuditQuery, AuditVerification, Outcome, StoredEntry,
    SubjectType, GENESIS, VERIFY_PAGE,
};
use shared::routes::Endpoint;
use shared::time::Timestamp;
use worker::Response;

pub async fn list(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let pairs = crate::http::query_pairs(cx.req)?;
    let query = AuditQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(ApiError::invalid)?;
    db::audit::seal(&cx.db, keys(cx)?.as_ref()).await?;
    let (mut rows, rows_read) = db::audit::list(&cx.db, &query).await?;
    let next_cursor = if rows.len() > query.limit as usize {
        rows.truncate(query.limit as usize);
        rows.last().map(|last| last.seq.to_string())
    } else {
        None
    };
    let items = rows.into_iter().map(to_api).collect::<Result<_, _>>()?;
    Ok(crate::response::with_rows_read(
        json(200, &AuditList { items, next_cursor }),
        rows_read,
    ))
}

/// Entries read per round trip while verifying.
const VERIFY_CHUNK: u32 = 1000;

/// The chain's keys; a malformed `AUDIT_KEY` is a 503 naming it (the log is neither sealed
/// nor checked with a key nobody can read).
fn keys(cx: &Ctx<'_>) -> Result<Option<AuditKeys>, ApiError> {
    db::audit::keys(cx.env).map_err(ApiError::misconfigured)
}

/// `after` and `head`, where a verification goes on from an earlier part's answer; from the
/// start (the genesis hash) without them.
fn verify_start(cx: &Ctx<'_>) -> Result<(i64, String), ApiError> {
    let (mut after, mut head) = (None, None);
    for (key, value) in crate::http::query_pairs(cx.req)? {
        match key.as_str() {
            "after" => {
                after = Some(
                    value
                        .parse::<i64>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| {
                            ApiError::invalid("after must be an entry's seq: a whole number from 1")
                        })?,
                )
            }
            "head" => {
                let hex = value.len() == 64
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if !hex {
                    return Err(ApiError::invalid(
                        "head must be a hash as an answer gave it: 64 lowercase hex digits",
                    ));
                }
                head = Some(value)
            }
            _ => {
                return Err(ApiError::invalid(
                    "unknown query parameter: verify accepts after and head",
                ))
            }
        }
    }
    match (after, head) {
        (None, None) => Ok((0, GENESIS.to_owned())),
        (Some(after), Some(head)) => Ok((after, head)),
        _ => Err(ApiError::invalid(
            "after and head go together: the next and head of the part before",
        )),
    }
}

/// Verifies at most `VERIFY_PAGE` sealed entries from the start or from where an earlier
/// part ended (`after`, linking to its `head`); `next` says where the following part starts.
pub async fn verify(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let (start, start_head) = verify_start(cx)?;
    let keys = keys(cx)?;
    db::audit::seal(&cx.db, keys.as_ref()).await?;
    let key_id = keys.as_ref().map(|k| k.current().id.clone());
    let sealed_head = db::audit::sealed_head(&cx.db).await?;
    let upto = sealed_head.min(start.saturating_add(i64::from(VERIFY_PAGE)));
    let mut prev = start_head;
    let mut after = start;
    let mut entries = 0u64;
    let mut keyed_entries = 0u64;
    // Whether an earlier entry was keyed: an unkeyed one after it is a rewrite. A part that
    // starts later learns it from the entry it links to.
    let mut keyed = start > 0 && db::audit::keyed_at(&cx.db, start).await?;
    loop {
        let chunk = db::audit::chunk(&cx.db, after, upto, VERIFY_CHUNK).await?;
        let Some(last) = chunk.last() else { break };
        after = last.seq;
        match audit::verify(&prev, &chunk, keys.as_ref(), &mut keyed) {
            Ok(head) => prev = head,
            Err(broken) => {
                let good = chunk.iter().take_while(|e| e.seq < broken.seq);
                keyed_entries += good.clone().filter(|e| e.key_id.is_some()).count() as u64;
                entries += good.count() as u64;
                return Ok(json(
                    200,
                    &AuditVerification {
                        intact: false,
                        entries,
                        head: None,
                        broken_at: Some(broken.seq),
                        problem: Some(broken.problem),
                        key_id,
                        keyed_entries,
                        next: None,
                    },
                ));
            }
        }
        entries += chunk.len() as u64;
        keyed_entries += chunk.iter().filter(|e| e.key_id.is_some()).count() as u64;
        if chunk.len() < VERIFY_CHUNK as usize {
            break;
        }
    }
    Ok(json(
        200,
        &AuditVerification {
            intact: true,
            entries,
            head: (entries > 0).then_some(prev),
            broken_at: None,
            problem: None,
            key_id,
            keyed_entries,
            next: (upto < sealed_head && entries > 0).then_some(after),
        },
    ))
}

/// The sealed entries from `from` on, `MAX_EXPORT` at most, oldest first, streamed a chunk of
/// 1,000 at a time (one D1 round trip each), as NDJSON or, asked with `Accept: text/csv`,
/// CSV; a `Link` header names the next part when the log goes on.
pub async fn export(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let mut from = 1;
    for (key, value) in crate::http::query_pairs(cx.req)? {
        match key.as_str() {
            "from" => {
                from = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| {
                        ApiError::invalid("from must be an entry's seq: a whole number from 1")
                    })?
            }
            _ => {
                return Err(ApiError::invalid(
                    "unknown query parameter: the export accepts from",
                ))
            }
        }
    }
    let csv = cx
        .req
        .headers()
        .get("Accept")?
        .is_some_and(|a| a.contains("text/csv"));
    db::audit::seal(&cx.db, keys(cx)?.as_ref()).await?;
    let head = db::audit::sealed_head(&cx.db).await?;
    let upto = head.min(from.saturating_add(i64::from(MAX_EXPORT)) - 1);
    let env = cx.env.clone();
    let chunks = futures_util::stream::try_unfold(Some(from - 1), move |after| {
        let env = env.clone();
        async move {
            let Some(after) = after else {
                return Ok(None);
            };
            let db = db::database(&env)?;
            let chunk = db::audit::chunk(&db, after, upto, VERIFY_CHUNK).await?;
            let Some(last) = chunk.last().map(|e| e.seq) else {
                return Ok(None);
            };
            let more = chunk.len() == VERIFY_CHUNK as usize;
            let mut out = String::new();
            for line in chunk.into_iter().filter_map(ExportLine::of) {
                if csv {
                    out.push_str(&line.csv());
                } else {
                    out.push_str(&serde_json::to_string(&line).map_err(worker::Error::from)?);
                    out.push('\n');
                }
            }
            Ok::<_, worker::Error>(Some((out.into_bytes(), more.then_some(last))))
        }
    });
    let header = futures_util::stream::once(async move {
        Ok::<_, worker::Error>(if csv {
            ExportLine::CSV_HEADER.as_bytes().to_vec()
        } else {
            Vec::new()
        })
    });
    let (kind, extension) = if csv {
        ("text/csv; charset=utf-8", "csv")
    } else {
        ("application/x-ndjson; charset=utf-8", "ndjson")
    };
    let response = Response::from_stream(futures_util::StreamExt::chain(header, chunks))?;
    let headers = response.headers();
    headers.set("Content-Type", kind)?;
    headers.set("Cache-Control", "no-store")?;
    headers.set(
        "Content-Disposition",
        &format!("attachment; filename=\"audit-from-{from}.{extension}\""),
    )?;
    // A log longer than one part: where the next one starts (RFC 8288).
    if upto < head {
        let next = Endpoint::ExportAudit.route().url(&[]);
        headers.set("Link", &format!("<{next}?from={}>; rel=\"next\"", upto + 1))?;
    }
    Ok(response)
}

fn to_api(e: StoredEntry) -> Result<AuditEntry, ApiError> {
    let bad = |what: &str| ApiError::Internal(format!("audit entry {} has {what}", e.seq));
    Ok(AuditEntry {
        seq: e.seq,
        at: Timestamp::from_millis(e.at).ok_or_else(|| bad("a bad time"))?,
        actor: e.actor.clone(),
        actor_token: e.actor_token_name.clone(),
        actor_kind: match e.actor_kind.as_deref() {
            None => None,
            Some(kind) => Some(kind.parse().map_err(|_| bad("an unknown actor kind"))?),
        },
        action: AuditAction::parse(&e.action).ok_or_else(|| bad("an unknown action"))?,
        subject_type: match e.subject_type.as_deref() {
            None => None,
            Some(kind) => Some(
                kind.parse::<SubjectType>()
                    .map_err(|_| bad("an unknown subject"))?,
            ),
        },
        subject_id: e.subject_id,
        subject_name: e.subject_name,
        count: e.count,
        detail: e.detail,
        outcome: match e.outcome.as_deref() {
            None => Outcome::Success,
            Some(o) => o.parse().map_err(|_| bad("an unknown outcome"))?,
        },
        client_ip: e.client_ip,
        user_agent: e.user_agent,
        prev_hash: e.prev_hash,
        hash: e.hash,
    })
}
