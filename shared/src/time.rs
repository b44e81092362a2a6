//! Instants cross the API as RFC 3339 UTC strings and are stored as Unix milliseconds, which
//! sort and compare as plain integers in SQL.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An instant as the API carries it: RFC 3339 UTC with milliseconds on the wire
/// (`2026-11-28T23:37:17.123Z`), Unix milliseconds in D1. Only instants in the years 0000 to 9999
/// exist, so every one has a wire form and none can turn into an empty string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// `0000-01-01T00:00:00.000Z`.
    const MIN_MS: i64 = -62_167_219_200_000;
    /// `9999-12-31T23:59:59.999Z`.
    const MAX_MS: i64 = 253_402_300_799_999;

    pub fn from_millis(ms: i64) -> Option<Self> {
        (Self::MIN_MS..=Self::MAX_MS)
            .contains(&ms)
            .then_some(Self(ms))
    }

    /// Any RFC 3339 form, with `Z` or an offset.
    pub fn parse(text: &str) -> Option<Self> {
        millis_from_rfc3339(text).and_then(Self::from_millis)
    }

    pub fn millis(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // In range by construction, so the formatting cannot fail.
        f.write_str(&rfc3339_from_millis(self.0).unwrap_or_default())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// From the wire's RFC 3339 string, or from the Unix milliseconds a D1 row holds (which arrive
/// as JavaScript numbers).
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Instant;

        impl Visitor<'_> for Instant {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "an RFC 3339 timestamp, or Unix milliseconds, in the years 0000 to 9999",
                )
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
                Timestamp::parse(text)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
            }

            fn visit_i64<E: de::Error>(self, ms: i64) -> Result<Timestamp, E> {
                Timestamp::from_millis(ms)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Signed(ms), &self))
            }

            fn visit_u64<E: de::Error>(self, ms: u64) -> Result<Timestamp, E> {
                let signed = i64::try_from(ms)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(ms), &self))?;
                self.visit_i64(signed)
            }

            fn visit_f64<E: de::Error>(self, ms: f64) -> Result<Timestamp, E> {
                if ms.fract() != 0.0 || !ms.is_finite() {
                    return Err(E::invalid_value(de::Unexpected::Float(ms), &self));
                }
                self.visit_i64(ms as i64)
            }
        }

        d.deserialize_any(Instant)
    }
}

string_schema!(Timestamp, "date-time");

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
    fn timestamps_exist_only_where_they_have_a_wire_form() {
        for ms in [Timestamp::MIN_MS, 0, 1_795_909_037_123, Timestamp::MAX_MS] {
            let at = Timestamp::from_millis(ms).unwrap();
            assert_eq!(Some(at.to_string()), rfc3339_from_millis(ms));
            assert_eq!(Timestamp::parse(&at.to_string()), Some(at));
        }
        for ms in [
            Timestamp::MIN_MS - 1,
            Timestamp::MAX_MS + 1,
            i64::MIN,
            i64::MAX,
        ] {
            assert_eq!(Timestamp::from_millis(ms), None, "{ms}");
            assert_eq!(rfc3339_from_millis(ms), None, "{ms}");
        }
    }

    #[test]
    fn timestamps_decode_from_the_wire_and_from_rows() {
        let at = Timestamp::from_millis(1_795_909_037_123).unwrap();
        assert_eq!(
            serde_json::to_value(at).unwrap(),
            "2026-11-28T23:37:17.123Z"
        );
        for good in [
            serde_json::json!("2026-11-28T23:37:17.123Z"),
            serde_json::json!("2026-11-29T00:37:17.123+01:00"),
            serde_json::json!(1_795_909_037_123_i64),
            serde_json::json!(1_795_909_037_123.0),
        ] {
            assert_eq!(
                serde_json::from_value::<Timestamp>(good.clone()).unwrap(),
                at,
                "{good}"
            );
        }
        for bad in [
            serde_json::json!(""),
            serde_json::json!("yesterday"),
            serde_json::json!(1.5),
            serde_json::json!(i64::MAX),
            serde_json::json!(null),
        ] {
            assert!(
                serde_json::from_value::<Timestamp>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

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
