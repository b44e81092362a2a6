//! Throttling, counted in SQL before any work is done so that concurrency cannot outrun it:
//! password checks per username, and invalid token presentations per client address; and the
//! key an address is counted under.

use std::net::{IpAddr, Ipv6Addr};

/// At most this many password checks per username in any window…
pub const MAX_ATTEMPTS: usize = 5;
/// …of this length. A successful sign-in clears the count.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// Invalid token strings (malformed or unknown) one address may present per window before
/// its further invalid presentations are answered with 429. Valid tokens always pass: an
/// agent behind the same address is never held up by a neighbour's mistakes.
pub const INVALID_TOKENS_PER_WINDOW: i64 = 120;
pub const INVALID_TOKEN_WINDOW_MS: i64 = 60 * 1000;

/// Whole seconds until an attempt counted at `oldest` leaves a window of `window_ms`, at least 1:
/// the `Retry-After` of a refusal.
pub fn retry_after_secs(oldest: i64, window_ms: i64, now: i64) -> i64 {
    let wait_ms = oldest + window_ms - now;
    ((wait_ms + 999) / 1000).max(1)
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

#[cfg(test)]
mod tests {
    use super::*;
    const MIN: i64 = 60 * 1000;

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
        for raw in ["", "   ", "not an address", "203.0.113", "2001:db8::1::2", "[]", "%eth0"] {
            assert_eq!(address_key(raw), UNKNOWN_ADDRESS, "{raw:?}");
        }
    }
}
