//! The `password_check_failures` table: checks of one's own current password
//! (`POST /api/auth/password`) per account, counted before the check in the statement that
//! decides whether it may run, as sign-in's are, but apart from them: neither locks the other.

use super::changes;
use super::users::CredentialRow;
use serde::Deserialize;
use shared::account::Username;
use shared::throttle::PASSWORD_CHECKS;
use shared::UserId;
use worker::{query, D1Database, D1PreparedStatement};

/// What one check was allowed, with the account it is for.
pub struct Check {
    /// `None`: counted, the password may be checked. `Some(at)`: refused; the oldest counted
    /// check in the window was at `at`.
    pub throttled_since: Option<i64>,
    pub account: Option<CredentialRow>,
}

/// In one batch: forgets checks older than the window (for every account), counts this one
/// unless the account already has [`PASSWORD_CHECKS`]' worth in the window, and reads the
/// account (by its username, which the caller compares with `user_id`).
pub async fn attempt(
    db: &D1Database,
    user_id: UserId,
    username: &Username,
    now: i64,
) -> worker::Result<Check> {
    #[derive(Deserialize)]
    struct Oldest {
        at: Option<i64>,
    }
    let user_id = user_id.to_string();
    let since = now - PASSWORD_CHECKS.window_ms;
    let batch = vec![
        query!(
            db,
            "DELETE FROM password_check_failures WHERE at <= ?1",
            since
        )?,
        query!(
            db,
            "INSERT INTO password_check_failures (user_id, at) SELECT ?1, ?2 \
             WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1) \
             AND (SELECT COUNT(*) FROM password_check_failures WHERE user_id = ?1 AND at > ?3) < ?4",
            &user_id,
            now,
            since,
            PASSWORD_CHECKS.attempts
        )?,
        query!(
            db,
            "SELECT MIN(at) AS at FROM password_check_failures WHERE user_id = ?1 AND at > ?2",
            &user_id,
            since
        )?,
        super::users::credentials_statement(db, username.as_str())?,
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
    Ok(Check {
        throttled_since: if counted {
            None
        } else {
            Some(oldest.unwrap_or(now))
        },
        account,
    })
}

/// A successful check clears the account's count, in the batch that stores the new password.
pub fn clear_statement(db: &D1Database, user_id: UserId) -> worker::Result<D1PreparedStatement> {
    query!(
        db,
        "DELETE FROM password_check_failures WHERE user_id = ?1",
        user_id.to_string()
    )
}
