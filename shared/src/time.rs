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

/// The IMF-fixdate of RFC 9110 (`Sun, 29 Nov 2026 00:58:49 GMT`), as `Last-Modified` carries it.
pub fn http_date(ms: i64) -> Option<String> {
    let at = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok()?;
    at.format(HTTP_DATE).ok()
}

/// Parses an IMF-fixdate (the only form a client may generate) into Unix milliseconds.
pub fn millis_from_http_date(text: &str) -> Option<i64> {
    let at = time::PrimitiveDateTime::parse(text.trim(), HTTP_DATE).ok()?;
    Some(at.assume_utc().unix_timestamp() * 1000)
}

const HTTP_DATE: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

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
        assert_eq!(
            rfc3339_from_millis(1_795_909_037_123).unwrap(),
            "2026-11-28T23:37:17.123Z"
        );
        assert_eq!(
            rfc3339_from_millis(1_795_909_037_100).unwrap(),
            "2026-11-28T23:37:17.100Z"
        );
        assert_eq!(
            rfc3339_from_millis(1_795_909_037_000).unwrap(),
            "2026-11-28T23:37:17.000Z"
        );
    }

    #[test]
    fn parses_offsets_and_round_trips() {
        assert_eq!(
            millis_from_rfc3339("2026-11-28T23:37:17.123Z"),
            Some(1_795_909_037_123)
        );
        assert_eq!(
            millis_from_rfc3339("2026-11-29T00:37:17.123+01:00"),
            Some(1_795_909_037_123)
        );
        let ms = 1_795_909_037_456;
        assert_eq!(
            millis_from_rfc3339(&rfc3339_from_millis(ms).unwrap()),
            Some(ms)
        );
    }

    #[test]
    fn http_dates_round_trip_at_second_precision() {
        assert_eq!(
            http_date(1_795_909_037_123).unwrap(),
            "Sat, 28 Nov 2026 23:37:17 GMT"
        );
        assert_eq!(
            millis_from_http_date("Sat, 28 Nov 2026 23:37:17 GMT"),
            Some(1_795_909_037_000)
        );
        assert_eq!(http_date(0).unwrap(), "Thu, 01 Jan 1970 00:00:00 GMT");
        for bad in [
            "",
            "yesterday",
            "2026-11-28T23:37:17Z",
            "Sat, 28 Nov 2026 23:37:17 UTC",
        ] {
            assert_eq!(millis_from_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn refuses_non_rfc3339() {
        for bad in [
            "",
            "2026-11-28",
            "2026-11-28T23:37:17",
            "tomorrow",
            "2026-13-01T00:00:00Z",
        ] {
            assert_eq!(millis_from_rfc3339(bad), None, "{bad}");
        }
    }
}
