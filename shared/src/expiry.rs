//! When a new token expires: the requested time, checked, and capped at the expiry of the
//! token that creates it (a token mints nothing that outlives it).

use crate::time::millis_from_rfc3339;
use std::fmt;

/// The instant standing in for "never expires" in sort keys: the largest a JavaScript Date
/// holds, exactly representable in a bound parameter (see `tokens_expires_order` in the schema).
pub const NEVER: i64 = 8_640_000_000_000_000;

/// The furthest a requested expiry may lie: a century. Beyond it (year 9999, "in 7,978
/// years") an expiry is a typo, not a plan; a token meant to last is one without expiry.
/// (An organisation's own maximum lifetime is a policy of its own, below this.)
pub const MAX_EXPIRY_AHEAD_MS: i64 = 36_525 * DAY_MS;

/// A new token's expiry, and whether the creating token's expiry cut it short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    pub at: Option<i64>,
    pub capped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryError {
    NotATime,
    InThePast,
    TooFar,
}

impl fmt::Display for ExpiryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotATime => "expiresAt must be an RFC 3339 time such as 2027-01-31T00:00:00Z",
            Self::InThePast => "expiresAt must be in the future",
            Self::TooFar => {
                "expiresAt is more than 100 years away, which looks like a typo; choose a nearer \
                 date, or omit it for a token that never expires"
            }
        })
    }
}

impl std::error::Error for ExpiryError {}

/// `requested` is the `expiresAt` text, if any; `parent` the expiry of the token making the
/// request, if a token makes it and it expires.
pub fn new_token_expiry(
    requested: Option<&str>,
    now: i64,
    parent: Option<i64>,
) -> Result<Expiry, ExpiryError> {
    let at = match requested {
        None => None,
        Some(text) => {
            let at = millis_from_rfc3339(text).ok_or(ExpiryError::NotATime)?;
            if at <= now {
                return Err(ExpiryError::InThePast);
            }
            if at >= NEVER || at > now.saturating_add(MAX_EXPIRY_AHEAD_MS) {
                return Err(ExpiryError::TooFar);
            }
            Some(at)
        }
    };
    Ok(match parent {
        Some(cap) if at.is_none_or(|at| at > cap) => Expiry {
            at: Some(cap),
            capped: true,
        },
        _ => Expiry { at, capped: false },
    })
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whole days left before `expires_at`, rounded up (a token expiring in an hour has 1 day
/// left; 0 once it has expired).
pub fn days_left(expires_at: i64, now: i64) -> i64 {
    if expires_at <= now {
        0
    } else {
        (expires_at - now + DAY_MS - 1) / DAY_MS
    }
}

/// How the list says it, in whole days still ahead (rounded down, as people count: a date
/// two days away is "2 days left", not 3): "less than a day left", "1 day left", "6 days
/// left". `days_left`, rounded up, is the daily notice's count.
pub fn days_left_label(expires_at: i64, now: i64) -> String {
    let remaining = expires_at - now;
    match remaining / DAY_MS {
        _ if remaining <= 0 => "expired".to_owned(),
        0 => "less than a day left".to_owned(),
        1 => "1 day left".to_owned(),
        n => format!("{n} days left"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const NOW: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    const DAY: i64 = 86_400_000;

    #[test]
    fn a_requested_expiry_must_be_a_future_time_within_range() {
        assert_eq!(
            new_token_expiry(Some("2026-01-02T00:00:00Z"), NOW, None),
            Ok(Expiry {
                at: Some(NOW + DAY),
                capped: false
            })
        );
        assert_eq!(
            new_token_expiry(None, NOW, None),
            Ok(Expiry {
                at: None,
                capped: false
            })
        );
        assert_eq!(
            new_token_expiry(Some("tomorrow"), NOW, None),
            Err(ExpiryError::NotATime)
        );
        assert_eq!(
            new_token_expiry(Some("2025-12-31T23:59:59Z"), NOW, None),
            Err(ExpiryError::InThePast)
        );
        assert_eq!(
            new_token_expiry(Some("2026-01-01T00:00:00Z"), NOW, None),
            Err(ExpiryError::InThePast),
            "now is not in the future"
        );
        // A century ahead is the furthest; year 9999 is a typo.
        assert!(new_token_expiry(Some("2125-12-31T00:00:00Z"), NOW, None).is_ok());
        for far in ["2126-01-03T00:00:00Z", "9999-12-31T00:00:00Z"] {
            assert_eq!(
                new_token_expiry(Some(far), NOW, None),
                Err(ExpiryError::TooFar),
                "{far}"
            );
        }
    }

    #[test]
    fn a_child_never_outlives_the_token_that_made_it() {
        let parent = Some(NOW + DAY);
        assert_eq!(
            new_token_expiry(None, NOW, parent),
            Ok(Expiry {
                at: parent,
                capped: true
            }),
            "no expiry becomes the parent's"
        );
        assert_eq!(
            new_token_expiry(Some("2026-02-01T00:00:00Z"), NOW, parent),
            Ok(Expiry {
                at: parent,
                capped: true
            })
        );
        assert_eq!(
            new_token_expiry(Some("2026-01-01T12:00:00Z"), NOW, parent),
            Ok(Expiry {
                at: Some(NOW + DAY / 2),
                capped: false
            }),
            "an earlier expiry stands"
        );
    }

    #[test]
    fn days_left_round_up_and_read_as_people_say_it() {
        assert_eq!(days_left(NOW + 3_600_000, NOW), 1);
        assert_eq!(days_left(NOW + DAY, NOW), 1);
        assert_eq!(days_left(NOW + DAY + 1, NOW), 2);
        assert_eq!(days_left(NOW, NOW), 0);
        assert_eq!(
            days_left_label(NOW + 3_600_000, NOW),
            "less than a day left"
        );
        assert_eq!(
            days_left_label(NOW + 20 * 3_600_000, NOW),
            "less than a day left"
        );
        assert_eq!(days_left_label(NOW + DAY, NOW), "1 day left");
        assert_eq!(
            days_left_label(NOW + 2 * DAY + 3_600_000, NOW),
            "2 days left"
        );
        assert_eq!(days_left_label(NOW + 6 * DAY + 5, NOW), "6 days left");
        assert_eq!(days_left_label(NOW, NOW), "expired");
        assert_eq!(days_left_label(NOW - 1, NOW), "expired");
    }
}
