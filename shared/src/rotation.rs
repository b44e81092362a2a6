//! Rotating a token: a new secret for the same token, with the previous one still accepted for
//! an overlap window chosen as an ISO 8601 duration (`PT24H`, `P7D`, `PT0S`).

use std::fmt;

const SECOND_MS: i64 = 1_000;
const MINUTE_MS: i64 = 60 * SECOND_MS;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The longest overlap: a fleet that cannot move to a new secret in a week has a bigger problem.
pub const MAX_OVERLAP_MS: i64 = 7 * DAY_MS;

/// How long agents presenting the previous secret count as "still on it": the last hour.
pub const STILL_USED_WITHIN_MS: i64 = HOUR_MS;

/// The overlaps the app offers, as (duration, label).
pub const OVERLAP_CHOICES: &[(&str, &str)] = &[
    ("PT0S", "None: the old secret stops now"),
    ("PT1H", "1 hour"),
    ("PT24H", "24 hours"),
    ("P3D", "3 days"),
    ("P7D", "7 days"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlapError {
    NotADuration,
    /// Years and months have no fixed length.
    Calendar,
    TooLong,
}

impl fmt::Display for OverlapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotADuration => "overlap must be an ISO 8601 duration such as PT24H, P3D or PT0S",
            Self::Calendar => {
                "overlap must be in weeks, days, hours, minutes or seconds (P7D, not P1M)"
            }
            Self::TooLong => "overlap can be at most 7 days (P7D)",
        })
    }
}

impl std::error::Error for OverlapError {}

/// Milliseconds of an ISO 8601 duration of weeks, days, hours, minutes and whole seconds,
/// from 0 to [`MAX_OVERLAP_MS`].
pub fn parse_overlap(text: &str) -> Result<i64, OverlapError> {
    let rest = text
        .trim()
        .strip_prefix('P')
        .ok_or(OverlapError::NotADuration)?;
    let (date, time) = match rest.split_once('T') {
        Some((_, "")) => return Err(OverlapError::NotADuration),
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    if date.is_empty() && time.is_none() {
        return Err(OverlapError::NotADuration);
    }
    let mut total: i64 = 0;
    let mut add = |part: &str, units: &[(char, i64)]| -> Result<(), OverlapError> {
        let mut number = String::new();
        let mut last = 0;
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            if matches!(c, 'Y') || (c == 'M' && units.iter().any(|u| u.0 == 'W')) {
                return Err(OverlapError::Calendar);
            }
            let position = units
                .iter()
                .position(|u| u.0 == c)
                .ok_or(OverlapError::NotADuration)?;
            // Each unit once, largest first, each with its number.
            if number.is_empty() || position < last {
                return Err(OverlapError::NotADuration);
            }
            last = position + 1;
            let value: i64 = number.parse().map_err(|_| OverlapError::TooLong)?;
            total = value
                .checked_mul(units[position].1)
                .and_then(|v| total.checked_add(v))
                .ok_or(OverlapError::TooLong)?;
            number.clear();
        }
        if number.is_empty() {
            Ok(())
        } else {
            Err(OverlapError::NotADuration)
        }
    };
    add(date, &[('W', 7 * DAY_MS), ('D', DAY_MS)])?;
    if let Some(time) = time {
        add(time, &[('H', HOUR_MS), ('M', MINUTE_MS), ('S', SECOND_MS)])?;
    }
    if total > MAX_OVERLAP_MS {
        return Err(OverlapError::TooLong);
    }
    Ok(total)
}

/// A short human reading of an overlap in milliseconds ("24 hours", "3 days", "none").
pub fn describe_overlap(ms: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match ms {
        0 => "none".to_owned(),
        ms if ms % DAY_MS == 0 && ms > DAY_MS => plural(ms / DAY_MS, "day"),
        ms if ms % HOUR_MS == 0 => plural(ms / HOUR_MS, "hour"),
        ms if ms % MINUTE_MS == 0 => plural(ms / MINUTE_MS, "minute"),
        ms => plural(ms / SECOND_MS, "second"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_of_fixed_length_parse_within_a_week() {
        for (text, ms) in [
            ("PT0S", 0),
            ("P0D", 0),
            ("PT24H", DAY_MS),
            ("P1D", DAY_MS),
            ("P3D", 3 * DAY_MS),
            ("P7D", MAX_OVERLAP_MS),
            ("P1W", MAX_OVERLAP_MS),
            ("PT90M", 90 * MINUTE_MS),
            (
                "P1DT2H30M5S",
                DAY_MS + 2 * HOUR_MS + 30 * MINUTE_MS + 5 * SECOND_MS,
            ),
            (" PT1H ", HOUR_MS),
        ] {
            assert_eq!(parse_overlap(text), Ok(ms), "{text}");
        }
    }

    #[test]
    fn everything_else_is_refused_with_a_reason() {
        for text in [
            "", "P", "PT", "24H", "PT24", "P1H", "PT1D", "P1DT", "PT-1H", "PT1.5H", "PTH", "P1D1D",
            "PT1M1H", "pt1h",
        ] {
            assert_eq!(
                parse_overlap(text),
                Err(OverlapError::NotADuration),
                "{text}"
            );
        }
        for text in ["P1Y", "P1M", "P1Y2D"] {
            assert_eq!(parse_overlap(text), Err(OverlapError::Calendar), "{text}");
        }
        for text in ["P8D", "PT169H", "P2W", "P7DT1S", "PT99999999999999999999S"] {
            assert_eq!(parse_overlap(text), Err(OverlapError::TooLong), "{text}");
        }
    }

    #[test]
    fn every_offered_choice_parses_and_reads_back() {
        let read: Vec<String> = OVERLAP_CHOICES
            .iter()
            .map(|(d, _)| describe_overlap(parse_overlap(d).unwrap()))
            .collect();
        assert_eq!(read, ["none", "1 hour", "24 hours", "3 days", "7 days"]);
        assert_eq!(describe_overlap(90 * MINUTE_MS), "90 minutes");
    }
}
