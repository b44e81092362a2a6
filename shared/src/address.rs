//! The query string of a page's address (`?status=revoked&q=edge`), read and written the way
//! browsers do: pairs split on `&` and `=`, `+` and percent escapes decoded, and everything
//! but unreserved characters escaped on the way out. Pages keep their filters here, so reload,
//! back and forward and a shared link all show the same list.

/// The decoded pairs of `search` (with or without its leading `?`), in order. A malformed
/// escape is kept as written rather than refused, and escapes that decode to bytes that are
/// not UTF-8 give an empty value: an address is never an error.
pub fn pairs(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `?k=v&…` from the pairs, or `""` when there are none.
pub fn query(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let joined: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("?{}", joined.join("&"))
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    // Bytes that are not UTF-8 are no value at all (an address is never an error, and a
    // filter of replacement characters would match nothing anyway).
    String::from_utf8(out).unwrap_or_default()
}

pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded_as_browsers_encode_them() {
        assert_eq!(
            pairs("?q=edge+fleet%2F01&status=revoked&empty="),
            vec![
                ("q".to_owned(), "edge fleet/01".to_owned()),
                ("status".to_owned(), "revoked".to_owned()),
                ("empty".to_owned(), String::new()),
            ]
        );
        assert_eq!(pairs(""), vec![]);
        assert_eq!(pairs("?"), vec![]);
        assert_eq!(
            pairs("?a=%zz&b=%4"),
            vec![("a".into(), "%zz".into()), ("b".into(), "%4".into())]
        );
        assert_eq!(pairs("?q=%C3%A9t%C3%A9"), vec![("q".into(), "été".into())]);
        assert_eq!(
            pairs("?q=%FF%FE&k%C3=v"),
            vec![("q".into(), String::new()), (String::new(), "v".into())]
        );
    }

    #[test]
    fn what_is_written_reads_back() {
        let written = query(&[("q", "a b&c=d/é".to_owned()), ("sort", "name".to_owned())]);
        assert_eq!(written, "?q=a%20b%26c%3Dd%2F%C3%A9&sort=name");
        assert_eq!(
            pairs(&written),
            vec![
                ("q".into(), "a b&c=d/é".into()),
                ("sort".into(), "name".into())
            ]
        );
        assert_eq!(query(&[]), "");
    }
}
