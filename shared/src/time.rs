//! Instants cross the API as RFC 3339 UTC strings and are stored as Unix milliseconds, which
//! sort and compare as plain integers in SQL.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `2026-11-28T23:37:17.123Z`; `None` outside the years 0000 to 9999.
pub fn rfc3339_from_millis(ms: i64) -> Option<String> {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    if !(0..=9999).contains(&at.year()) {
        return None;
    }
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    ))
}

/// Parses any RFC 3339 timestamp (with `Z` or an offset) into Unix milliseconds.
pub fn millis_from_rfc3339(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_with_milliseconds() {
        assert_eq!(rfc3339_from_millis(0).unwrap(), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_from_millis(1_795_909_037_123).unwrap(), "2026-11-28T23:37:17.123Z");
        assert_eq!(rfc3339_from_millis(1_795_909_037_100).unwrap(), "2026-11-28T23:37:17.100Z");
        assert_eq!(rfc3339_from_millis(1_795_909_037_000).unwrap(), "2026-11-28T23:37:17.000Z");
    }

    #[test]
    fn parses_offsets_and_round_trips() {
        assert_eq!(millis_from_rfc3339("2026-11-28T23:37:17.123Z"), Some(1_795_909_037_123));
        assert_eq!(millis_from_rfc3339("2026-11-29T00:37:17.123+01:00"), Some(1_795_909_037_123));
        let ms = 1_795_909_037_456;
        assert_eq!(millis_from_rfc3339(&rfc3339_from_millis(ms).unwrap()), Some(ms));
    }

    #[test]
    fn refuses_non_rfc3339() {
        for bad in ["", "2026-11-28", "2026-11-28T23:37:17", "tomorrow", "2026-13-01T00:00:00Z"] {
            assert_eq!(millis_from_rfc3339(bad), None, "{bad}");
        }
    }
}
