//! Throttling, counted in SQL before any work is done so that concurrency cannot outrun it:
//! password checks per username, and invalid token presentations per client address.

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
}
