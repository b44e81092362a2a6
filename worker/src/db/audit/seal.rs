//! Sealing: the entries appended since the last sealing get their place in the hash chain,
//! a bounded part per call, with the keys `AUDIT_KEY` holds.

use super::COLUMNS;
use serde::Deserialize;
use shared::audit::key::AuditKeys;
use shared::audit::{StoredEntry, GENESIS};
use wasm_bindgen::JsValue;
use worker::D1Database;

/// The chain's keys from `AUDIT_KEY` (a secret, or a variable locally); `None` without one.
/// A malformed value is an error naming the setting, never a silent fall back to no key.
pub fn keys(env: &worker::Env) -> Result<Option<AuditKeys>, String> {
    crate::platform::setting(env, "AUDIT_KEY")
        .map(|raw| AuditKeys::parse(&raw).map_err(|e| format!("AUDIT_KEY is malformed: {e}")))
        .transpose()
}

/// Seals with the keys `env` holds; a malformed `AUDIT_KEY` seals nothing (the entries wait,
/// unsealed, until it is fixed) and is logged.
pub async fn seal_with(db: &D1Database, env: &worker::Env) -> worker::Result<usize> {
    match keys(env) {
        Ok(keys) => seal(db, keys.as_ref()).await,
        Err(problem) => {
            worker::console_error!("{problem}; the audit log is not sealed until it is fixed");
            Ok(0)
        }
    }
}

/// The entries not yet sealed are this many at most per sealing pass.
const SEAL_BATCH: u32 = 200;

/// Passes one call makes at most: a backlog (entries that waited while `AUDIT_KEY` was
/// malformed, say) is sealed a part per request, so no request's CPU grows with it (README,
/// CPU per request); the next request, or the daily run, goes on.
const SEAL_PASSES: usize = 2;

/// Seals the entries appended since the last sealing into the chain, in order, up to
/// `SEAL_PASSES` passes: two round trips a pass (read the unsealed entries with the last
/// sealed hash; write their hashes), none of them on a caller's path except the audit pages'. Each write holds only if the entry is
/// still unsealed and the entry before it has the hash this pass linked to, so concurrent
/// sealers agree or leave the entry to the next pass; they never fork the chain.
/// With `keys` (`AUDIT_KEY`), each hash is an HMAC under the current key, whose id the entry
/// records.
pub async fn seal(db: &D1Database, keys: Option<&AuditKeys>) -> worker::Result<usize> {
    #[derive(Deserialize)]
    struct Head {
        hash: String,
    }
    let mut sealed = 0;
    for _ in 0..SEAL_PASSES {
        let head = db.prepare(
            "SELECT hash FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log WHERE hash IS NOT NULL)",
        );
        let pending = db.prepare(format!(
            "SELECT {COLUMNS} FROM audit_log WHERE hash IS NULL ORDER BY seq LIMIT {SEAL_BATCH}"
        ));
        let mut results = db.batch(vec![head, pending]).await?.into_iter();
        let mut prev = match results.next() {
            Some(r) => r.results::<Head>()?.into_iter().next().map(|h| h.hash),
            None => None,
        }
        .unwrap_or_else(|| GENESIS.to_owned());
        let pending: Vec<StoredEntry> = match results.next() {
            Some(r) => r.results()?,
            None => Vec::new(),
        };
        if pending.is_empty() {
            return Ok(sealed);
        }
        let mut writes = Vec::with_capacity(pending.len());
        for e in &pending {
            let (actor_digest, subject_digest) = e.digests();
            let sealed = e.sealed(&actor_digest, &subject_digest);
            let (hash, key_id) = match keys.map(AuditKeys::current) {
                Some(key) => (
                    sealed.keyed_hash(&prev, key),
                    JsValue::from(key.id.as_str()),
                ),
                None => (sealed.hash(&prev), JsValue::NULL),
            };
            writes.push(db.prepare(
                "UPDATE audit_log SET actor_digest = ?2, subject_digest = ?3, prev_hash = ?4, hash = ?5, key_id = ?7 \
                 WHERE seq = ?1 AND hash IS NULL AND ?4 = COALESCE((SELECT p.hash FROM audit_log p \
                 WHERE p.seq < ?1 ORDER BY p.seq DESC LIMIT 1), ?6)",
            ).bind(&[
                (e.seq as f64).into(),
                actor_digest.into(),
                subject_digest.into(),
                prev.as_str().into(),
                hash.as_str().into(),
                GENESIS.into(),
                key_id,
            ])?);
            prev = hash;
        }
        let changed: usize = db
            .batch(writes)
            .await?
            .iter()
            .map(|r| crate::db::changes(r).unwrap_or(0))
            .sum();
        sealed += changed;
        // Another sealer got there first, or a page remains: go round again, at most while
        // this pass still sealed something.
        if changed == 0 || pending.len() < SEAL_BATCH as usize {
            break;
        }
    }
    Ok(sealed)
}
