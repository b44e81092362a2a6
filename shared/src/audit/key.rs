//! The audit chain's key (`AUDIT_KEY`): with one, each entry's hash is an HMAC-SHA-256 under
//! it rather than a plain SHA-256, so rewriting the chain consistently takes the key as well
//! as the database. Keys rotate: the setting lists `id:secret` pairs, the first sealing new
//! entries, the others still verifying the entries they sealed (each entry records its key's
//! id).

use sha2::{Digest, Sha256};

/// The shortest secret accepted: 32 characters (a `openssl rand -hex 32` is 64).
pub const MIN_SECRET: usize = 32;

#[derive(Clone)]
pub struct AuditKey {
    pub id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    /// The id only: a secret is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id)
    }
}

impl AuditKey {
    /// HMAC-SHA-256 of `message` under this key, in lowercase hex.
    pub fn sign(&self, message: &[u8]) -> String {
        hmac_sha256_hex(&self.secret, message)
    }
}

/// The keys `AUDIT_KEY` holds, the current one first.
#[derive(Debug, Clone)]
pub struct AuditKeys(Vec<AuditKey>);

impl AuditKeys {
    /// `id:secret[,id:secret…]`: ids of letters, digits, `-`, `_` or `.` (at most 32), each
    /// once; secrets of at least [`MIN_SECRET`] characters. The message names what is wrong,
    /// never a secret.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut keys: Vec<AuditKey> = Vec::new();
        for (n, pair) in raw.split(',').map(str::trim).enumerate() {
            let Some((id, secret)) = pair.split_once(':') else {
                return Err(format!(
                    "key {} is not id:secret (AUDIT_KEY holds id:secret pairs separated by commas, the current one first)",
                    n + 1
                ));
            };
            let id = id.trim();
            if id.is_empty()
                || id.len() > 32
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            {
                return Err(format!(
                    "key {}'s id must be 1 to 32 letters, digits, '-', '_' or '.'",
                    n + 1
                ));
            }
            if secret.len() < MIN_SECRET {
                return Err(format!(
                    "key \"{id}\"'s secret is shorter than {MIN_SECRET} characters"
                ));
            }
            if keys.iter().any(|k| k.id == id) {
                return Err(format!("key id \"{id}\" appears twice"));
            }
            keys.push(AuditKey {
                id: id.to_owned(),
                secret: secret.as_bytes().to_vec(),
            });
        }
        Ok(Self(keys))
    }

    /// The key new entries are sealed with.
    pub fn current(&self) -> &AuditKey {
        &self.0[0]
    }

    pub fn get(&self, id: &str) -> Option<&AuditKey> {
        self.0.iter().find(|k| k.id == id)
    }
}

/// HMAC-SHA-256 (RFC 2104) of `message` under `key`, in lowercase hex.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    crate::token::to_hex(&outer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 and test case 6 (a key longer than a block).
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hmac_sha256_hex(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn keys_are_id_secret_pairs_the_first_current_and_errors_never_show_a_secret() {
        let secret = "s".repeat(32);
        let keys = AuditKeys::parse(&format!("k2:{secret}2, k1:{secret}1")).unwrap();
        assert_eq!(keys.current().id, "k2");
        assert!(keys.get("k1").is_some() && keys.get("k3").is_none());
        assert_ne!(
            keys.get("k1").unwrap().sign(b"x"),
            keys.current().sign(b"x")
        );
        for bad in [
            "nosecret".to_owned(),
            format!(":{secret}"),
            format!("a b:{secret}"),
            "k1:short".to_owned(),
            format!("k1:{secret},k1:{secret}"),
        ] {
            let message = AuditKeys::parse(&bad).unwrap_err();
            assert!(
                !message.contains(&secret) && !message.contains("short\""),
                "{message}"
            );
        }
        assert!(format!("{:?}", keys).contains("k2") && !format!("{:?}", keys).contains(&secret));
    }
}
