//! The sign-in counts: `signin_failures` (browsers without a valid device cookie, per username
//! and address key) and `device_failures` (per known device). Each attempt is counted before
//! its password is checked, in the one statement that decides whether it may be checked at
//! all, so no number of parallel requests gets past a limit; a successful sign-in removes its
//! own rows, so what stays are failures.

use super::changes;
use super::users::CredentialRow;
use serde::Deserialize;
use shared::account::Username;
use shared::throttle::{
    SignInWindows, Window, PER_ADDRESS, PER_ADDRESS_AND_USERNAME, PER_DEVICE, PER_USERNAME,
    SIGN_IN_RETENTION_MS,
};
use worker::{query, D1Database, D1PreparedStatement};

/// What one sign-in attempt was allowed, with the account it names.
pub struct Attempt {
    pub counted: Counted,
    pub account: Option<CredentialRow>,
}

pub enum Counted {
    /// Against the device cookie it presented, valid for this username: the password may be
    /// checked, whatever unknown browsers have done.
    Device,
    /// Against the limits on unknown browsers (per address, per username and address, per
    /// username): the password may be checked.
    Unknown,
    /// Not counted, and refused: what the unknown browsers' limits held.
    Refused(SignInWindows),
}

/// In one batch: forgets attempts older than their windows (for everyone), counts this one
/// against its device (`device`: the SHA-256 of the cookie) when the device is valid for the
/// username and under [`PER_DEVICE`], or else against the unknown browsers' limits when all
/// three allow it, reads those limits' windows for a refusal, and reads the account.
pub async fn attempt(
    db: &D1Database,
    username: &Username,
    address: &str,
    device: Option<&str>,
    now: i64,
) -> worker::Result<Attempt> {
    let username = username.as_str();
    let by_device = query!(
        db,
        "INSERT INTO device_failures (device, at) \
         SELECT d.id_hash, ?3 FROM devices d JOIN users u ON u.id = d.user_id \
         WHERE d.id_hash = ?1 AND u.username = ?2 AND d.expires_at > ?3 \
         AND (SELECT COUNT(*) FROM device_failures WHERE device = ?1 AND at > ?4) < ?5",
        device,
        username,
        now,
        now - PER_DEVICE.window_ms,
        PER_DEVICE.attempts
    )?;
    // `changes()` is the previous statement's: an attempt counted against its device is not
    // counted again here, and a device past its own limit is judged as an unknown browser.
    let by_address = query!(
        db,
        "INSERT INTO signin_failures (username, address, at) SELECT ?1, ?2, ?3 \
         WHERE changes() = 0 \
         AND (SELECT COUNT(*) FROM signin_failures WHERE address = ?2 AND at > ?4) < ?5 \
         AND (SELECT COUNT(*) FROM signin_failures \
              WHERE username = ?1 AND address = ?2 AND at > ?6) < ?7 \
         AND (SELECT COUNT(*) FROM signin_failures WHERE username = ?1 AND at > ?8) < ?9",
        username,
        address,
        now,
        now - PER_ADDRESS.window_ms,
        PER_ADDRESS.attempts,
        now - PER_ADDRESS_AND_USERNAME.window_ms,
        PER_ADDRESS_AND_USERNAME.attempts,
        now - PER_USERNAME.window_ms,
        PER_USERNAME.attempts
    )?;
    let windows = query!(
        db,
        "SELECT \
         (SELECT COUNT(*) FROM signin_failures WHERE address = ?2 AND at > ?3) AS address_count, \
         (SELECT MIN(at) FROM signin_failures WHERE address = ?2 AND at > ?3) AS address_oldest, \
         (SELECT COUNT(*) FROM signin_failures WHERE username = ?1 AND address = ?2 AND at > ?4) \
             AS pair_count, \
         (SELECT MIN(at) FROM signin_failures WHERE username = ?1 AND address = ?2 AND at > ?4) \
             AS pair_oldest, \
         (SELECT COUNT(*) FROM signin_failures WHERE username = ?1 AND at > ?5) AS username_count, \
         (SELECT MIN(at) FROM signin_failures WHERE username = ?1 AND at > ?5) AS username_oldest",
        username,
        address,
        now - PER_ADDRESS.window_ms,
        now - PER_ADDRESS_AND_USERNAME.window_ms,
        now - PER_USERNAME.window_ms
    )?;
    let batch = vec![
        query!(
            db,
            "DELETE FROM signin_failures WHERE at <= ?1",
            now - SIGN_IN_RETENTION_MS
        )?,
        query!(
            db,
            "DELETE FROM device_failures WHERE at <= ?1",
            now - PER_DEVICE.window_ms
        )?,
        by_device,
        by_address,
        windows,
        super::users::credentials_statement(db, username)?,
    ];
    let results = db.batch(batch).await?;
    let inserted = |i: usize| -> worker::Result<bool> {
        Ok(match results.get(i) {
            Some(r) => changes(r)? > 0,
            None => false,
        })
    };
    let counted = if inserted(2)? {
        Counted::Device
    } else if inserted(3)? {
        Counted::Unknown
    } else {
        let row = match results.get(4) {
            Some(r) => r.results::<WindowsRow>()?.into_iter().next(),
            None => None,
        };
        Counted::Refused(row.map(WindowsRow::into_windows).unwrap_or_default())
    };
    let account = match results.get(5) {
        Some(r) => r.results::<CredentialRow>()?.into_iter().next(),
        None => None,
    };
    Ok(Attempt { counted, account })
}

#[derive(Deserialize)]
struct WindowsRow {
    address_count: i64,
    address_oldest: Option<i64>,
    pair_count: i64,
    pair_oldest: Option<i64>,
    username_count: i64,
    username_oldest: Option<i64>,
}

impl WindowsRow {
    fn into_windows(self) -> SignInWindows {
        SignInWindows {
            address: Window {
                count: self.address_count,
                oldest: self.address_oldest,
            },
            address_and_username: Window {
                count: self.pair_count,
                oldest: self.pair_oldest,
            },
            username: Window {
                count: self.username_count,
                oldest: self.username_oldest,
            },
        }
    }
}

/// What a successful sign-in clears, for the batch that starts its session: the count of its
/// username from its address, and its device's count.
pub fn clear_statements(
    db: &D1Database,
    username: &Username,
    address: &str,
    device: Option<&str>,
) -> worker::Result<Vec<D1PreparedStatement>> {
    let mut statements = vec![query!(
        db,
        "DELETE FROM signin_failures WHERE username = ?1 AND address = ?2",
        username.as_str(),
        address
    )?];
    if let Some(device) = device {
        statements.push(query!(
            db,
            "DELETE FROM device_failures WHERE device = ?1",
            device
        )?);
    }
    Ok(statements)
}
