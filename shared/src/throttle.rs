//! Sign-in throttling: after 5 failed sign-ins for a username within 15 minutes, further
//! attempts are refused for 15 minutes.

pub const MAX_FAILURES: usize = 5;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;

/// Given the instants of recent failed sign-ins (any order), the instant until which sign-in
/// is refused, if it is refused at `now`.
///
/// A lockout starts at the failure that completes 5 within 15 minutes and lasts 15 minutes;
/// attempts refused during a lockout are not failures and do not extend it.
pub fn locked_until(failures: &[i64], now: i64) -> Option<i64> {
    let mut sorted: Vec<i64> = failures.iter().copied().filter(|&at| at <= now).collect();
    sorted.sort_unstable();
    let mut locked_until = None;
    for (i, &at) in sorted.iter().enumerate() {
        if i + 1 >= MAX_FAILURES && at - sorted[i + 1 - MAX_FAILURES] < WINDOW_MS {
            locked_until = Some(at + LOCKOUT_MS);
        }
    }
    locked_until.filter(|&until| until > now)
}

#[cfg(test)]
mod tests {
    use super::*;
    const MIN: i64 = 60 * 1000;

    #[test]
    fn four_failures_do_not_lock() {
        assert_eq!(locked_until(&[0, MIN, 2 * MIN, 3 * MIN], 4 * MIN), None);
    }

    #[test]
    fn the_fifth_failure_within_fifteen_minutes_locks_for_fifteen_minutes() {
        let failures = [0, MIN, 2 * MIN, 3 * MIN, 4 * MIN];
        assert_eq!(locked_until(&failures, 4 * MIN), Some(19 * MIN));
        assert_eq!(locked_until(&failures, 19 * MIN - 1), Some(19 * MIN));
        assert_eq!(
            locked_until(&failures, 19 * MIN),
            None,
            "the lockout ends after 15 minutes"
        );
    }

    #[test]
    fn failures_spread_over_more_than_fifteen_minutes_do_not_lock() {
        let failures = [0, 4 * MIN, 8 * MIN, 12 * MIN, 16 * MIN];
        assert_eq!(locked_until(&failures, 16 * MIN), None);
    }

    #[test]
    fn order_of_input_does_not_matter() {
        let failures = [4 * MIN, 0, 3 * MIN, MIN, 2 * MIN];
        assert_eq!(locked_until(&failures, 5 * MIN), Some(19 * MIN));
    }
}
