//! The `login_failures` table: password checks per username within the throttling window.
//! Each attempt is counted before the password is checked, in the same statement that decides
//! whether it may be checked at all, so no number of parallel requests gets past the limit.

use super::changes;
use super::users::CredentialRow;
use serde::Deserialize;
use shared::account::Username;
use shared::throttle::{MAX_ATTEMPTS, WINDOW_MS};
use worker::{query, D1Database, D1PreparedStatement};

/// What one sign-in attempt was allowed, with the account it names.
pub struct Attempt {
    /// `None`: the attempt was counted and the password may be checked. `Some(at)`: refused;
    /// the oldest counted attempt in the window was at `at`.
    pub throttled_since: Option<i64>,
    pub account: Option<CredentialRow>,
}

/// In one batch: forgets attempts older than the window (for every username), counts this one
/// unless the username already has [`MAX_ATTEMPTS`] in the window, and reads the account.
pub async fn attempt(db: &D1Database, username: &Username, now: i64) -> worker::Result<Attempt> {
    let username = username.as_str();
    #[derive(Deserialize)]
    struct Oldest {
        at: Option<i64>,
    }
    let since = now - WINDOW_MS;
    let batch = vec![
        query!(db, "DELETE FROM login_failures WHERE at <= ?1", since)?,
        query!(
            db,
            "INSERT INTO login_failures (username, at) SELECT ?1, ?2 \
             WHERE (SELECT COUNT(*) FROM login_failures WHERE username = ?1 AND at > ?3) < ?4",
            username,
            now,
            since,
            MAX_ATTEMPTS as u32
        )?,
        query!(
            db,
            "SELECT MIN(at) AS at FROM login_failures WHERE username = ?1 AND at > ?2",
            username,
            since
        )?,
        super::users::credentials_statement(db, username)?,
    ];
    let results = db.batch(batch).await?;
    let counted = match results.get(1) {
        Some(inserted) => changes(inserted)? > 0,
        None => false,
    };
    let oldest = match results.get(2) {
        Some(r) => r.results::<Oldest>()?.into_iter().next().and_then(|o| o.at),
        None => None,
    };
    let account = match results.get(3) {
        Some(r) => r.results::<CredentialRow>()?.into_iter().next(),
        None => None,
    };
    Ok(Attempt {
        throttled_since: if counted {
            None
        } else {
            Some(oldest.unwrap_or(now))
        },
        account,
    })
}

/// A successful sign-in clears the username's count.
pub async fn clear(db: &D1Database, username: &Username) -> worker::Result<()> {
    clear_statement(db, username)?.run().await?;
    Ok(())
}

/// The clearing of [`clear`], for a batch with what the successful check allows.
pub fn clear_statement(
    db: &D1Database,
    username: &Username,
) -> worker::Result<D1PreparedStatement> {
    query!(
        db,
        "DELETE FROM login_failures WHERE username = ?1",
        username.as_str()
    )
}
