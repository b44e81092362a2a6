//! How times and counts read on screen.

use shared::permissions::Permissions;

/// "just now", "5 minutes ago", "in 3 days": the distance from `now_ms` to `then_ms`.
pub fn relative_time(then_ms: f64, now_ms: f64) -> String {
    let seconds = ((now_ms - then_ms) / 1000.0).round() as i64;
    let future = seconds < 0;
    let s = seconds.unsigned_abs();
    if s < 45 {
        return "just now".to_owned();
    }
    // Thresholds as people round: 45 minutes is "1 hour", 26 days is "1 month", 320 days "1 year".
    const MIN: u64 = 60;
    const HOUR: u64 = 3_600;
    const DAY: u64 = 86_400;
    let rounded = |unit: u64| ((s + unit / 2) / unit).max(1);
    let (n, unit) = if s < 45 * MIN {
        (rounded(MIN), "minute")
    } else if s < 22 * HOUR {
        (rounded(HOUR), "hour")
    } else if s < 26 * DAY {
        (rounded(DAY), "day")
    } else if s < 320 * DAY {
        (rounded(30 * DAY + DAY / 2), "month")
    } else {
        (rounded(365 * DAY), "year")
    };
    let plural = if n == 1 { "" } else { "s" };
    if future {
        format!("in {n} {unit}{plural}")
    } else {
        format!("{n} {unit}{plural} ago")
    }
}

/// The exact instant in the reader's locale and time zone, for tooltips.
pub fn exact_time(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Text from the server with each instant in it (`2026-12-04T15:00:00.000Z`: RFC 3339, UTC)
/// shown as [`exact_time`] shows one, in the reader's locale and time zone.
pub fn local_instants(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        // An instant starts a run of digits; anything else is copied a run at a time.
        let end = match instant_len(from) {
            Some(end) => {
                let ms = js_sys::Date::parse(&from[..end]);
                if ms.is_nan() {
                    out.push_str(&from[..end]);
                } else {
                    out.push_str(&exact_time(ms));
                }
                end
            }
            None => {
                let end = from
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(from.len());
                out.push_str(&from[..end]);
                end
            }
        };
        rest = &from[end..];
    }
    out.push_str(rest);
    out
}

/// How long the UTC instant `text` starts with is: `YYYY-MM-DDTHH:MM:SS`, fractional seconds
/// if any, then `Z`.
fn instant_len(text: &str) -> Option<usize> {
    const SHAPE: &[u8] = b"0000-00-00T00:00:00";
    let b = text.as_bytes();
    let shaped = b.len() > SHAPE.len()
        && b.iter().zip(SHAPE).all(|(c, s)| match s {
            b'0' => c.is_ascii_digit(),
            s => c == s,
        });
    if !shaped {
        return None;
    }
    let mut n = SHAPE.len();
    if b[n] == b'.' {
        let digits = b[n + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        n += 1 + digits;
    }
    (b.get(n) == Some(&b'Z')).then_some(n + 1)
}

/// A permission string as the list shows it: the preset's name when it is one.
pub fn permissions_summary(permissions: Permissions) -> String {
    if permissions == Permissions::telegraf_agent() {
        "Telegraf Agent".to_owned()
    } else if permissions == Permissions::ALL {
        "Full access".to_owned()
    } else {
        permissions.to_string().replace(',', ", ")
    }
}

/// "1 token", "3 tokens".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "1,000", "100,000": digits in groups of three.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A rule's message ("name is required") as a sentence on screen ("Name is required.").
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.next().map_or_else(String::new, |first| {
        std::iter::once(first.to_ascii_uppercase())
            .chain(chars)
            .collect()
    });
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn instants_in_the_servers_text_read_in_the_readers_time() {
        let ms = js_sys::Date::parse("2026-12-04T15:00:00.000Z");
        let shown = exact_time(ms);
        assert!(!shown.contains('T') && !shown.is_empty(), "{shown}");
        assert_eq!(
            local_instants(
                "overlap 1 day: the previous secret works until 2026-12-04T15:00:00.000Z; then"
            ),
            format!("overlap 1 day: the previous secret works until {shown}; then")
        );
        assert_eq!(
            local_instants("until 2026-12-04T15:00:00Z"),
            format!("until {shown}")
        );
        for plain in [
            "",
            "no digits",
            "seed 42 and 2026-12-04",
            "at 12:30",
            "2026-12-04T15:00:00 without a zone",
            "2026-12-04T15:00:00.Z",
        ] {
            assert_eq!(local_instants(plain), plain);
        }
    }

    #[wasm_bindgen_test]
    fn relative_time_reads_naturally() {
        let now = 1_800_000_000_000.0;
        assert_eq!(relative_time(now, now), "just now");
        assert_eq!(relative_time(now - 44_000.0, now), "just now");
        assert_eq!(relative_time(now - 60_000.0, now), "1 minute ago");
        assert_eq!(relative_time(now - 5.0 * 60_000.0, now), "5 minutes ago");
        assert_eq!(relative_time(now - 2.0 * 3_600_000.0, now), "2 hours ago");
        assert_eq!(relative_time(now - 3.0 * 86_400_000.0, now), "3 days ago");
        assert_eq!(relative_time(now + 7.0 * 86_400_000.0, now), "in 7 days");
        assert_eq!(relative_time(now - 50.0 * 60_000.0, now), "1 hour ago");
        assert_eq!(relative_time(now - 30.0 * 86_400_000.0, now), "1 month ago");
        assert_eq!(
            relative_time(now - 90.0 * 86_400_000.0, now),
            "3 months ago"
        );
        assert_eq!(relative_time(now - 400.0 * 86_400_000.0, now), "1 year ago");
        assert_eq!(
            relative_time(now - 800.0 * 86_400_000.0, now),
            "2 years ago"
        );
    }

    #[wasm_bindgen_test]
    fn the_browser_reads_the_wire_form_of_an_instant_as_the_same_instant() {
        use shared::time::Timestamp;
        for ms in [
            0,
            1_795_909_037_123,
            -62_135_596_800_000,
            253_402_300_799_999,
        ] {
            let at = Timestamp::from_millis(ms).unwrap();
            assert_eq!(js_sys::Date::parse(&at.to_string()), ms as f64, "{at}");
        }
    }

    #[wasm_bindgen_test]
    fn rule_messages_become_sentences() {
        assert_eq!(sentence("name is required"), "Name is required.");
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(sentence(""), "");
    }

    #[wasm_bindgen_test]
    fn permissions_read_as_presets_when_they_are() {
        assert_eq!(
            permissions_summary(Permissions::parse("configs:read,heartbeat:write").unwrap()),
            "Telegraf Agent"
        );
        assert_eq!(
            permissions_summary(
                Permissions::parse("configs:*,agents:*,heartbeat:*,tokens:*,users:*").unwrap()
            ),
            "Full access"
        );
        assert_eq!(
            permissions_summary(Permissions::parse("tokens:read,users:read").unwrap()),
            "tokens:read, users:read"
        );
    }

    #[wasm_bindgen_test]
    fn counts_pluralise() {
        assert_eq!(count(1, "token"), "1 token");
        assert_eq!(count(3, "token"), "3 tokens");
        assert_eq!(count(0, "token"), "0 tokens");
    }

    #[wasm_bindgen_test]
    fn thousands_are_grouped_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
