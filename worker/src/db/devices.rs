//! The `devices` table: browsers that have signed in (OWASP's device cookies), each bound to
//! its user, stored only as the SHA-256 of the cookie value.
//!
//! Why a random value with its hash stored, rather than an HMAC-signed one: it needs no new
//! secret to provision, rotate or leak; a device ends when its row goes (a newer sign-in from
//! the same browser, the user's deletion through the foreign key, or the cap below), which a
//! signature cannot do without a list of revoked ones; and its lookup runs in the batch that
//! counts the attempt anyway, so it costs no round trip. A database read still reveals no
//! usable cookie, as with sessions.

use shared::UserId;
use worker::{query, D1Database, D1PreparedStatement};

/// The newest devices a user keeps; older ones are forgotten when another is issued, so
/// signing in over and over cannot fill the table.
const DEVICES_PER_USER: i64 = 20;

/// Issues device `id_hash` to the user, for the batch that starts their session: the device
/// the browser presented (`replacing`, if it was this user's) is replaced, so a copied cookie
/// stops helping once the browser it came from signs in again; the user's expired devices and
/// those past the newest [`DEVICES_PER_USER`] go.
pub fn issue_statements(
    db: &D1Database,
    id_hash: &str,
    user_id: UserId,
    replacing: Option<&str>,
    now: i64,
    expires_at: i64,
) -> worker::Result<Vec<D1PreparedStatement>> {
    Ok(vec![
        query!(
            db,
            "DELETE FROM devices WHERE id_hash = ?1 AND user_id = ?2",
            replacing,
            user_id
        )?,
        query!(
            db,
            "INSERT INTO devices (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            id_hash,
            user_id,
            now,
            expires_at
        )?,
        query!(
            db,
            "DELETE FROM devices WHERE user_id = ?1 AND id_hash != ?2 AND (expires_at <= ?3 \
             OR id_hash NOT IN (SELECT id_hash FROM devices WHERE user_id = ?1 \
                                ORDER BY created_at DESC LIMIT ?4))",
            user_id,
            id_hash,
            now,
            DEVICES_PER_USER
        )?,
    ])
}
