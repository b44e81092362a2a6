//! Throttling, counted in SQL before any work is done so that concurrency cannot outrun it:
//! sign-in attempts (per username and address, per known device, per username across
//! addresses, per address), checks of one's own current password, and invalid token
//! presentations per client address; and the key an address is counted under.

use std::net::{IpAddr, Ipv6Addr};

const MINUTE_MS: i64 = 60 * 1000;

/// At most `attempts` counted in any `window_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub attempts: i64,
    pub window_ms: i64,
}

/// Sign-in from a browser without a valid device cookie: password checks per username from one
/// address key. A successful sign-in clears the pair's count, so what it holds are failures
/// (and attempts still running).
pub const PER_ADDRESS_AND_USERNAME: Limit = Limit {
    attempts: 5,
    window_ms: 15 * MINUTE_MS,
};

/// Sign-in from a browser with a valid device cookie for the username: password checks per
/// device. Past it the cookie stops helping and the attempt is judged as an unknown browser's.
pub const PER_DEVICE: Limit = PER_ADDRESS_AND_USERNAME;

/// Sign-in from unknown browsers, per username across every address: the ceiling against
/// guessing spread over many addresses. Known devices never count against it nor meet it, so
/// it cannot lock the real user out of a browser they have signed in from.
pub const PER_USERNAME: Limit = Limit {
    attempts: 50,
    window_ms: 60 * MINUTE_MS,
};

/// Sign-in from unknown browsers, per address key whatever the username: one address cannot
/// spread its guesses over many usernames, nor make the worker run PBKDF2 without end.
pub const PER_ADDRESS: Limit = Limit {
    attempts: 20,
    window_ms: MINUTE_MS,
};

/// A device cookie lasts this long from the sign-in that issued it (each sign-in issues a new
/// one), so a browser in regular use stays known.
pub const DEVICE_COOKIE_MS: i64 = 365 * 24 * 60 * MINUTE_MS;

/// Sign-in counts are kept this long: the longest of their windows.
pub const SIGN_IN_RETENTION_MS: i64 = 60 * MINUTE_MS;

/// `POST /api/auth/password`: checks of the current password per account, so a stolen session
/// cannot guess it. Counted apart from sign-in: neither locks the other.
pub const PASSWORD_CHECKS: Limit = PER_ADDRESS_AND_USERNAME;

/// Invalid token strings (malformed or unknown) one address may present per window before
/// its further invalid presentations are answered with 429. Valid tokens always pass: an
/// agent behind the same address is never held up by a neighbour's mistakes.
pub const INVALID_TOKENS_PER_WINDOW: i64 = 120;
pub const INVALID_TOKEN_WINDOW_MS: i64 = MINUTE_MS;

/// Whole seconds until an attempt counted at `oldest` leaves a window of `window_ms`, at least 1:
/// the `Retry-After` of a refusal.
pub fn retry_after_secs(oldest: i64, window_ms: i64, now: i64) -> i64 {
    let wait_ms = oldest + window_ms - now;
    ((wait_ms + 999) / 1000).max(1)
}

/// "1 minute", "15 minutes": a `Retry-After` in the words of an error message.
pub fn minutes_phrase(retry_after_secs: i64) -> String {
    match (retry_after_secs + 59) / 60 {
        n if n <= 1 => "1 minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

/// The key a client address is counted under. IPv4 addresses count one by one. IPv6 ones by
/// their /64, the block one subscriber line or host is given, so rotating through its 2^64
/// addresses gains nothing; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) counts as its
/// IPv4 address. Brackets and a zone id (`fe80::1%eth0`) are ignored. A missing or unreadable
/// address shares the one key [`UNKNOWN_ADDRESS`], so leaving the header out gains nothing.
pub fn address_key(raw: &str) -> String {
    let trimmed = raw.trim();
    let bare = trimmed
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(trimmed);
    let without_zone = bare.split('%').next().unwrap_or_default();
    match without_zone.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        Err(_) => UNKNOWN_ADDRESS.to_owned(),
    }
}

/// The key of every request whose address is missing or unreadable.
pub const UNKNOWN_ADDRESS: &str = "unknown";

/// What one sign-in limit holds in its window for the attempt being judged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub count: i64,
    /// The oldest attempt counted in the window, if any.
    pub oldest: Option<i64>,
}

/// Which sign-in limit refused an attempt from an unknown browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInLimit {
    Address,
    AddressAndUsername,
    Username,
}

impl SignInLimit {
    pub fn limit(self) -> Limit {
        match self {
            Self::Address => PER_ADDRESS,
            Self::AddressAndUsername => PER_ADDRESS_AND_USERNAME,
            Self::Username => PER_USERNAME,
        }
    }

    /// The refusal's message, for a wait of `retry_after_secs`.
    pub fn message(self, retry_after_secs: i64) -> String {
        let wait = minutes_phrase(retry_after_secs);
        match self {
            Self::Address => {
                format!("too many sign-in attempts from this address; try again in {wait}")
            }
            Self::AddressAndUsername => format!(
                "too many sign-in attempts from this address for this username; try again in {wait}"
            ),
            Self::Username => format!(
                "too many sign-in attempts for this username from browsers it has not signed in \
                 from before; sign in from one it has, or try again in {wait}"
            ),
        }
    }
}

/// The windows of the three limits on unknown browsers, as the attempt found them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignInWindows {
    pub address: Window,
    pub address_and_username: Window,
    pub username: Window,
}

/// Why an attempt that was not counted was refused, and for how long: of the limits that are
/// full, the one that frees up last (a retry before then would be refused again). `None` when
/// none is full, which the SQL that refused the attempt makes impossible.
pub fn sign_in_refusal(windows: &SignInWindows, now: i64) -> Option<(SignInLimit, i64)> {
    [
        (SignInLimit::Address, windows.address),
        (
            SignInLimit::AddressAndUsername,
            windows.address_and_username,
        ),
        (SignInLimit::Username, windows.username),
    ]
    .into_iter()
    .filter(|(which, w)| w.count >= which.limit().attempts)
    .map(|(which, w)| {
        let oldest = w.oldest.unwrap_or(now);
        (
            which,
            retry_after_secs(oldest, which.limit().window_ms, now),
        )
    })
    .max_by_key(|(_, secs)| *secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    const MIN: i64 = 60 * 1000;
    const WINDOW_MS: i64 = PER_ADDRESS_AND_USERNAME.window_ms;

    #[test]
    fn retry_after_is_when_the_oldest_attempt_leaves_the_window() {
        assert_eq!(retry_after_secs(0, WINDOW_MS, 4 * MIN), 11 * 60);
        assert_eq!(retry_after_secs(0, WINDOW_MS, WINDOW_MS - 1), 1);
        assert_eq!(
            retry_after_secs(0, WINDOW_MS, WINDOW_MS - 1500),
            2,
            "rounded up"
        );
        assert_eq!(
            retry_after_secs(0, WINDOW_MS, WINDOW_MS + 5),
            1,
            "never zero or negative"
        );
        assert_eq!(retry_after_secs(1000, INVALID_TOKEN_WINDOW_MS, 1000), 60);
    }

    #[test]
    fn minutes_are_rounded_up_and_never_zero() {
        assert_eq!(minutes_phrase(1), "1 minute");
        assert_eq!(minutes_phrase(60), "1 minute");
        assert_eq!(minutes_phrase(61), "2 minutes");
        assert_eq!(minutes_phrase(900), "15 minutes");
    }

    #[test]
    fn ipv4_addresses_count_one_by_one() {
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key(" 203.0.113.7 "), "203.0.113.7");
        assert_ne!(address_key("203.0.113.7"), address_key("203.0.113.8"));
    }

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        let key = address_key("2001:db8:1:2:3:4:5:6");
        assert_eq!(key, "2001:db8:1:2::/64");
        for same in [
            "2001:db8:1:2::1",
            "2001:0db8:0001:0002:ffff:ffff:ffff:ffff",
            "2001:DB8:1:2::abcd",
            "[2001:db8:1:2::9]",
            "2001:db8:1:2::9%eth0",
        ] {
            assert_eq!(address_key(same), key, "{same}");
        }
        assert_eq!(address_key("2001:db8:1:3::1"), "2001:db8:1:3::/64");
        assert_eq!(address_key("2001:db8::1"), "2001:db8::/64");
        assert_eq!(address_key("::1"), "::/64");
        assert_eq!(address_key("fe80::1%3"), "fe80::/64");
    }

    #[test]
    fn an_ipv4_mapped_address_counts_as_its_ipv4_address() {
        assert_eq!(address_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("::ffff:cb00:7107"), "203.0.113.7");
        assert_eq!(address_key("[::ffff:203.0.113.7]"), "203.0.113.7");
    }

    #[test]
    fn missing_or_unreadable_addresses_share_one_key() {
        for raw in [
            "",
            "   ",
            "not an address",
            "203.0.113",
            "2001:db8::1::2",
            "[]",
            "%eth0",
        ] {
            assert_eq!(address_key(raw), UNKNOWN_ADDRESS, "{raw:?}");
        }
    }

    fn full(limit: Limit, oldest: i64) -> Window {
        Window {
            count: limit.attempts,
            oldest: Some(oldest),
        }
    }

    #[test]
    fn a_refusal_names_the_full_limit_that_frees_up_last() {
        let now = 100 * MIN;
        assert_eq!(sign_in_refusal(&SignInWindows::default(), now), None);
        let pair = SignInWindows {
            address_and_username: full(PER_ADDRESS_AND_USERNAME, now - 5 * MIN),
            ..Default::default()
        };
        assert_eq!(
            sign_in_refusal(&pair, now),
            Some((SignInLimit::AddressAndUsername, 10 * 60))
        );
        let both = SignInWindows {
            address: full(PER_ADDRESS, now - 30_000),
            ..pair
        };
        assert_eq!(
            sign_in_refusal(&both, now),
            Some((SignInLimit::AddressAndUsername, 10 * 60)),
            "the address frees up in 30 s, the pair only in 10 minutes"
        );
        let ceiling = SignInWindows {
            username: full(PER_USERNAME, now - 20 * MIN),
            ..both
        };
        assert_eq!(
            sign_in_refusal(&ceiling, now),
            Some((SignInLimit::Username, 40 * 60))
        );
        let almost = SignInWindows {
            username: Window {
                count: PER_USERNAME.attempts - 1,
                oldest: Some(now),
            },
            ..Default::default()
        };
        assert_eq!(sign_in_refusal(&almost, now), None, "one below is not full");
    }

    #[test]
    fn refusal_messages_are_plain_sentences() {
        assert_eq!(
            SignInLimit::AddressAndUsername.message(840),
            "too many sign-in attempts from this address for this username; try again in 14 minutes"
        );
        assert_eq!(
            SignInLimit::Address.message(30),
            "too many sign-in attempts from this address; try again in 1 minute"
        );
        assert!(SignInLimit::Username
            .message(3600)
            .ends_with("try again in 60 minutes"));
    }
}
