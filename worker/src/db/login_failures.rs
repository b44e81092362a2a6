//! The `login_failures` table: recent failed sign-ins per username, for throttling.

use serde::Deserialize;
use worker::{query, D1Database};

pub async fn since(db: &D1Database, username: &str, since: i64) -> worker::Result<Vec<i64>> {
    #[derive(Deserialize)]
    struct Row {
        at: i64,
    }
    let rows: Vec<Row> = query!(
        db,
        "SELECT at FROM login_failures WHERE username = ?1 AND at > ?2",
        username,
        since
    )?
    .all()
    .await?
    .results()?;
    Ok(rows.into_iter().map(|r| r.at).collect())
}

/// Records a failure and forgets this username's failures older than `forget_before`.
pub async fn record(
    db: &D1Database,
    username: &str,
    now: i64,
    forget_before: i64,
) -> worker::Result<()> {
    let forget = query!(
        db,
        "DELETE FROM login_failures WHERE username = ?1 AND at < ?2",
        username,
        forget_before
    )?;
    let insert = query!(
        db,
        "INSERT INTO login_failures (username, at) VALUES (?1, ?2)",
        username,
        now
    )?;
    db.batch(vec![forget, insert]).await?;
    Ok(())
}

pub async fn clear(db: &D1Database, username: &str) -> worker::Result<()> {
    query!(
        db,
        "DELETE FROM login_failures WHERE username = ?1",
        username
    )?
    .run()
    .await?;
    Ok(())
}
