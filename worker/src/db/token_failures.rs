//! The `token_failures` table: invalid token presentations per client address in the current
//! window, counted atomically so parallel guesses cannot slip under the limit.

use serde::Deserialize;
use shared::throttle::INVALID_TOKEN_WINDOW_MS;
use worker::{query, D1Database};

/// The address's count in its current window, after counting this presentation.
#[derive(Debug, Deserialize)]
pub struct Count {
    pub count: i64,
    pub window_start: i64,
}

/// Counts one invalid presentation from `address`: a window older than a minute starts over.
/// Windows that have ended are forgotten in the same batch.
pub async fn count(db: &D1Database, address: &str, now: i64) -> worker::Result<Count> {
    let since = now - INVALID_TOKEN_WINDOW_MS;
    let batch = vec![
        query!(
            db,
            "DELETE FROM token_failures WHERE window_start <= ?1 AND address != ?2",
            since,
            address
        )?,
        query!(
            db,
            "INSERT INTO token_failures (address, window_start, count) VALUES (?1, ?2, 1) \
             ON CONFLICT (address) DO UPDATE SET \
             count = CASE WHEN window_start <= ?3 THEN 1 ELSE count + 1 END, \
             window_start = CASE WHEN window_start <= ?3 THEN ?2 ELSE window_start END \
             RETURNING count, window_start",
            address,
            now,
            since
        )?,
    ];
    let results = db.batch(batch).await?;
    let row = match results.get(1) {
        Some(r) => r.results::<Count>()?.into_iter().next(),
        None => None,
    };
    Ok(row.unwrap_or(Count {
        count: 1,
        window_start: now,
    }))
}
