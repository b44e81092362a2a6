//! The API token string: its format, its hash and its non-secret hint.
//!
//! Format (Telegraf Controller): `tc-apiv1_` followed by exactly 64 lowercase hex characters,
//! the encoding of 32 random bytes. Only the SHA-256 of the whole string is ever stored.

use sha2::{Digest, Sha256};
use std::fmt;

/// Every token string starts with this.
pub const TOKEN_PREFIX: &str = "tc-apiv1_";
/// Number of random bytes behind a token.
pub const TOKEN_RANDOM_BYTES: usize = 32;
/// Length of the hex part after the prefix.
pub const TOKEN_HEX_LEN: usize = TOKEN_RANDOM_BYTES * 2;
/// Length of a whole token string.
pub const TOKEN_LEN: usize = TOKEN_PREFIX.len() + TOKEN_HEX_LEN;

/// A token string. Its `Debug` and `Display` never print the secret, so it cannot reach a log
/// by accident; the only way out is [`TokenSecret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

/// Why a string is not a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFormatError {
    MissingPrefix,
    WrongLength,
    NotLowercaseHex,
}

impl fmt::Display for TokenFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingPrefix => write!(f, "a token starts with `{TOKEN_PREFIX}`"),
            Self::WrongLength => write!(
                f,
                "a token is `{TOKEN_PREFIX}` followed by exactly {TOKEN_HEX_LEN} hex characters"
            ),
            Self::NotLowercaseHex => {
                write!(f, "after `{TOKEN_PREFIX}` a token holds only 0-9 and a-f")
            }
        }
    }
}

impl TokenSecret {
    /// Encodes random bytes (from a CSPRNG, which the caller supplies) as a token string.
    pub fn from_random_bytes(bytes: &[u8; TOKEN_RANDOM_BYTES]) -> Self {
        let mut s = String::with_capacity(TOKEN_LEN);
        s.push_str(TOKEN_PREFIX);
        s.push_str(&to_hex(bytes));
        Self(s)
    }

    /// Accepts exactly the token format and nothing else: no whitespace, no uppercase.
    pub fn parse(candidate: &str) -> Result<Self, TokenFormatError> {
        let hex_part = candidate
            .strip_prefix(TOKEN_PREFIX)
            .ok_or(TokenFormatError::MissingPrefix)?;
        if hex_part.len() != TOKEN_HEX_LEN {
            return Err(TokenFormatError::WrongLength);
        }
        if !hex_part
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(TokenFormatError::NotLowercaseHex);
        }
        Ok(Self(candidate.to_owned()))
    }

    /// The token string itself: for the one create response and for clients that send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token string, the only form that is stored.
    pub fn hash(&self) -> TokenHash {
        TokenHash(sha256_hex(self.0.as_bytes()))
    }

    /// The last four characters: all that is kept besides the hash, to build the hint.
    pub fn last4(&self) -> &str {
        &self.0[TOKEN_LEN - 4..]
    }

    /// The non-secret hint shown in lists: the prefix and the last four characters.
    pub fn hint(&self) -> String {
        hint_from_last4(self.last4())
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

/// Lowercase hex SHA-256 of a token string, as stored and looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The hint for a stored token. The prefix is added here rather than stored, so the database
/// holds no `tc-apiv1_` string at all.
pub fn hint_from_last4(last4: &str) -> String {
    format!("{TOKEN_PREFIX}…{last4}")
}

/// The four characters a search means when it is a hint's ending: `ab12`, or a whole hint as
/// the list shows it (`tc-apiv1_…ab12`, also typed with `...`). Any case.
pub fn hint_suffix(search: &str) -> Option<String> {
    let text = search.trim().to_ascii_lowercase();
    let last4 = match text.strip_prefix(TOKEN_PREFIX) {
        Some(rest) => rest
            .strip_prefix('…')
            .or_else(|| rest.strip_prefix("..."))?,
        None => text.as_str(),
    };
    (last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_hexdigit())).then(|| last4.to_owned())
}

/// Lowercase hex SHA-256: how every secret (token, session) is stored.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// Lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// The bytes `to_hex` wrote; `None` for anything else (odd length, not hex, over 1 KiB).
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 2048 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "tc-apiv1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn random_bytes_encode_to_the_documented_format() {
        let secret = TokenSecret::from_random_bytes(&[0xab; 32]);
        assert_eq!(secret.expose().len(), TOKEN_LEN);
        assert_eq!(secret.expose(), format!("tc-apiv1_{}", "ab".repeat(32)));
        assert_eq!(TokenSecret::parse(secret.expose()), Ok(secret));
    }

    #[test]
    fn distinct_bytes_give_distinct_tokens_and_hashes() {
        let mut bytes = [0u8; 32];
        let a = TokenSecret::from_random_bytes(&bytes);
        bytes[31] = 1;
        let b = TokenSecret::from_random_bytes(&bytes);
        assert_ne!(a, b);
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn parse_accepts_exactly_the_format() {
        assert!(TokenSecret::parse(VALID).is_ok());
        assert_eq!(
            TokenSecret::parse(&VALID[1..]),
            Err(TokenFormatError::MissingPrefix)
        );
        assert_eq!(
            TokenSecret::parse("tc-apiv2_00"),
            Err(TokenFormatError::MissingPrefix)
        );
        assert_eq!(
            TokenSecret::parse(&VALID[..VALID.len() - 1]),
            Err(TokenFormatError::WrongLength)
        );
        assert_eq!(
            TokenSecret::parse(&format!("{VALID}0")),
            Err(TokenFormatError::WrongLength)
        );
        assert_eq!(
            TokenSecret::parse(&VALID.to_uppercase()),
            Err(TokenFormatError::MissingPrefix)
        );
        let upper_hex = format!("tc-apiv1_{}", "AB".repeat(32));
        assert_eq!(
            TokenSecret::parse(&upper_hex),
            Err(TokenFormatError::NotLowercaseHex)
        );
        let with_g = format!("tc-apiv1_{}g", "a".repeat(63));
        assert_eq!(
            TokenSecret::parse(&with_g),
            Err(TokenFormatError::NotLowercaseHex)
        );
        assert_eq!(
            TokenSecret::parse(&format!(" {VALID}")),
            Err(TokenFormatError::MissingPrefix)
        );
        // 64 bytes of multi-byte characters must not be mistaken for 64 hex digits.
        let unicode = format!("tc-apiv1_{}", "é".repeat(32));
        assert_eq!(
            TokenSecret::parse(&unicode),
            Err(TokenFormatError::NotLowercaseHex)
        );
        assert_eq!(TokenSecret::parse(""), Err(TokenFormatError::MissingPrefix));
    }

    #[test]
    fn hash_is_the_sha256_of_the_whole_string() {
        // sha256("tc-apiv1_" + "00" * 32), computed independently with coreutils' sha256sum.
        let secret = TokenSecret::from_random_bytes(&[0; 32]);
        assert_eq!(
            secret.hash().as_str(),
            "ab4d45a8ef78f2cfe2f9818bf01601e9a77a7f894f3f1f0a3f0f236d2eee508a"
        );
    }

    #[test]
    fn hint_shows_prefix_and_last_four_only() {
        let secret = TokenSecret::parse(VALID).unwrap();
        assert_eq!(secret.hint(), "tc-apiv1_…cdef");
        assert_eq!(secret.last4(), "cdef");
        assert_eq!(hint_from_last4(secret.last4()), secret.hint());
        assert_eq!(hint_suffix(&secret.hint()).as_deref(), Some("cdef"));
        assert_eq!(hint_suffix(" CDEF ").as_deref(), Some("cdef"));
        assert_eq!(hint_suffix("tc-apiv1_...cdef").as_deref(), Some("cdef"));
        for not_a_hint in ["cde", "cdefa", "prod", "tc-apiv1_cdef", ""] {
            assert_eq!(hint_suffix(not_a_hint), None, "{not_a_hint:?}");
        }
        assert!(!secret.hint().contains("0123456789"));
    }

    #[test]
    fn debug_never_prints_the_secret() {
        let secret = TokenSecret::parse(VALID).unwrap();
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
