//! Leaked-token reports in the format of GitHub's secret scanning partner program: a JSON array
//! of matches, signed with ECDSA P-256 (SHA-256) over the raw body. The signature arrives
//! base64 DER-encoded and the keys as PEM; WebCrypto, which verifies in the worker, wants the
//! raw `r || s` form and the DER of the key. These conversions are pure and tested here; the
//! ECDSA itself is WebCrypto's.

use base64::{engine::general_purpose::STANDARD, Engine};
use serde::{Deserialize, Serialize};

/// One string a scanner found. `type` and `source` are the scanner's words, kept for the reply
/// and the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ScanMatch {
    #[cfg_attr(feature = "openapi", schemars(length(max = 1000)))]
    pub token: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub source: String,
}

/// The most matches one report may carry.
pub const MAX_MATCHES: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// A token of ours that worked; it is revoked now.
    TruePositive,
    /// Not a token of ours, or one that no longer worked.
    FalsePositive,
}

/// The answer for one match, in the partner program's snake_case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Verdict {
    /// SHA-256 of the reported string, lowercase hex.
    pub token_hash: String,
    pub token_type: String,
    pub label: Label,
}

/// One verifying key of `SECRET_SCANNING_KEYS`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ScanningKey {
    pub key_identifier: String,
    pub key: String,
}

/// GitHub's `GET /meta/public_keys/secret_scanning` answer, as published.
#[derive(Deserialize)]
struct Published {
    public_keys: Vec<ScanningKey>,
}

/// `SECRET_SCANNING_KEYS`: a JSON list of `{key_identifier, key}` (the key in PEM), or the
/// exact JSON GitHub's `meta/public_keys/secret_scanning` endpoint returns
/// (`{"public_keys": [{key_identifier, key, is_current}]}`; extra fields are read past).
/// Every key must be a PEM public key: a list that names one that is not is refused whole.
/// `setting` names where the text came from, for the operator (`SECRET_SCANNING_KEYS`, or
/// what `SECRET_SCANNING_KEYS_URL` answered).
pub fn parse_keys(text: &str, setting: &str) -> Result<Vec<ScanningKey>, String> {
    let keys = match serde_json::from_str::<Vec<ScanningKey>>(text) {
        Ok(keys) => keys,
        Err(_) => serde_json::from_str::<Published>(text)
            .map(|p| p.public_keys)
            .map_err(|e| {
                format!(
                    "{setting} is neither a JSON list of {{key_identifier, key}} nor GitHub's {{\"public_keys\": [...]}}: {e}"
                )
            })?,
    };
    if keys.is_empty() {
        return Err(format!("{setting} lists no key"));
    }
    if let Some(bad) = keys.iter().find(|k| pem_to_der(&k.key).is_none()) {
        return Err(format!(
            "{setting}: key {} is not a PEM public key (-----BEGIN PUBLIC KEY-----)",
            bad.key_identifier
        ));
    }
    Ok(keys)
}

/// The DER (SubjectPublicKeyInfo) inside a `-----BEGIN PUBLIC KEY-----` PEM block.
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let body = pem
        .trim()
        .strip_prefix("-----BEGIN PUBLIC KEY-----")?
        .trim_end()
        .strip_suffix("-----END PUBLIC KEY-----")?;
    let text: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(text).ok().filter(|der| !der.is_empty())
}

mod key_cache;
pub use key_cache::{KeyCache, Lookup, FETCH_WAIT_MS, REFETCH_AFTER_MS};

/// An ECDSA P-256 signature, base64 of its DER `SEQUENCE { INTEGER r, INTEGER s }`, as the 64
/// bytes `r || s` WebCrypto verifies. `None` for anything that is not exactly that.
pub fn signature_to_raw(base64_der: &str) -> Option<[u8; 64]> {
    let der = STANDARD.decode(base64_der.trim()).ok()?;
    let (tag, body, rest) = der_item(&der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let (r_tag, r, after_r) = der_item(body)?;
    let (s_tag, s, after_s) = der_item(after_r)?;
    if r_tag != 0x02 || s_tag != 0x02 || !after_s.is_empty() {
        return None;
    }
    let mut raw = [0u8; 64];
    let (r_half, s_half) = raw.split_at_mut(32);
    for (integer, half) in [(r, r_half), (s, s_half)] {
        // A positive INTEGER may carry one leading zero byte; it holds at most 32 bytes after.
        if integer.first().is_none_or(|b| b & 0x80 != 0) {
            return None; // empty or negative
        }
        let digits = match integer {
            [0, rest @ ..] if rest.first().is_some_and(|b| b & 0x80 != 0) => rest,
            digits => digits,
        };
        if digits.len() > 32 {
            return None;
        }
        half[32 - digits.len()..].copy_from_slice(digits);
    }
    Some(raw)
}

/// One DER item with a short-form length (all an ECDSA P-256 signature needs): its tag, its
/// contents and what follows it.
fn der_item(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let len = usize::from(len);
    if len >= 0x80 || rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der(r: &[u8], s: &[u8]) -> String {
        let mut body = vec![0x02, r.len() as u8];
        body.extend_from_slice(r);
        body.extend([0x02, s.len() as u8]);
        body.extend_from_slice(s);
        let mut out = vec![0x30, body.len() as u8];
        out.extend(body);
        STANDARD.encode(out)
    }

    #[test]
    fn a_der_signature_becomes_r_then_s_padded_to_32_bytes() {
        let r = [0x7f; 32];
        let mut s = vec![0x00, 0x80];
        s.extend([1u8; 31]);
        let raw = signature_to_raw(&der(&r, &s)).unwrap();
        assert_eq!(&raw[..32], &r);
        assert_eq!(raw[32], 0x80);
        assert_eq!(&raw[33..], &[1u8; 31]);
        // Short integers are left-padded.
        let raw = signature_to_raw(&der(&[5], &[6])).unwrap();
        assert_eq!((raw[31], raw[63], raw[0]), (5, 6, 0));
    }

    #[test]
    fn anything_but_a_well_formed_signature_is_refused() {
        for bad in [
            String::new(),
            "not base64!".to_owned(),
            der(&[0x80], &[1]),  // negative r
            der(&[1; 33], &[1]), // r too long
            der(&[], &[1]),      // empty r
            STANDARD.encode([0x30, 0x02, 0x02, 0x00]),
            format!("{}AA==", &der(&[1], &[1])[..8]),
        ] {
            assert_eq!(signature_to_raw(&bad), None, "{bad}");
        }
    }

    #[test]
    fn keys_come_from_a_json_list_and_pem_blocks() {
        let keys = parse_keys(r#"[{"key_identifier":"k1","key":"-----BEGIN PUBLIC KEY-----\nAAEC\nAw==\n-----END PUBLIC KEY-----\n"}]"#, "SECRET_SCANNING_KEYS").unwrap();
        assert_eq!(keys[0].key_identifier, "k1");
        assert_eq!(pem_to_der(&keys[0].key), Some(vec![0, 1, 2, 3]));
        assert!(parse_keys("{}", "SECRET_SCANNING_KEYS").is_err());
        assert!(parse_keys("[]", "SECRET_SCANNING_KEYS").is_err());
        // GitHub's published form, exactly, with its extra field.
        let published = parse_keys(r#"{"public_keys":[{"key_identifier":"90a4","key":"-----BEGIN PUBLIC KEY-----\nAAEC\nAw==\n-----END PUBLIC KEY-----\n","is_current":true}]}"#, "SECRET_SCANNING_KEYS").unwrap();
        assert_eq!(published[0].key_identifier, "90a4");
        let not_pem = parse_keys(
            r#"[{"key_identifier":"k9","key":"AAEC"}]"#,
            "SECRET_SCANNING_KEYS",
        )
        .unwrap_err();
        assert!(not_pem.contains("k9"), "{not_pem}");
        assert_eq!(
            pem_to_der("-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----"),
            None
        );
    }
}
