//! Password hashing: PBKDF2-HMAC-SHA256 through the runtime's WebCrypto, at 100,000
//! iterations (the most Workers allows). WebCrypto runs it natively, outside the wasm
//! instance; argon2id compiled to wasm would cost far more CPU time per sign-in for the same
//! work factor, and Workers bill and limit CPU time.

use js_sys::{Array, Object, Uint8Array};
use shared::account::constant_time_eq;
use shared::token::to_hex;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, Pbkdf2Params, SubtleCrypto, WorkerGlobalScope};

pub const ITERATIONS: u32 = 100_000;
const SALT_BYTES: usize = 16;
const HASH_BITS: u32 = 256;

/// A stored password: what the `users` table keeps.
pub struct PasswordHash {
    pub hash: String,
    pub salt: String,
    pub iterations: u32,
}

/// Hashes a new password with a fresh random salt.
pub async fn hash(password: &str) -> worker::Result<PasswordHash> {
    let salt = crate::platform::random_bytes::<SALT_BYTES>();
    let derived = pbkdf2(password, &salt, ITERATIONS).await?;
    Ok(PasswordHash {
        hash: to_hex(&derived),
        salt: to_hex(&salt),
        iterations: ITERATIONS,
    })
}

/// Whether `password` matches the stored hash. The comparison is constant-time.
pub async fn verify(password: &str, stored: &PasswordHash) -> worker::Result<bool> {
    let Some(salt) = unhex(&stored.salt) else {
        return Ok(false);
    };
    let derived = pbkdf2(password, &salt, stored.iterations).await?;
    Ok(constant_time_eq(
        to_hex(&derived).as_bytes(),
        stored.hash.as_bytes(),
    ))
}

/// Spends the same work as a real verification, so an unknown username answers no faster
/// than a wrong password.
pub async fn burn_equivalent_time(password: &str) {
    let _ = pbkdf2(password, &[0u8; SALT_BYTES], ITERATIONS).await;
}

async fn pbkdf2(password: &str, salt: &[u8], iterations: u32) -> worker::Result<Vec<u8>> {
    let subtle = subtle()?;
    let key_data: Object = Uint8Array::from(password.as_bytes()).into();
    let usages = Array::of1(&"deriveBits".into());
    let key: CryptoKey =
        JsFuture::from(subtle.import_key_with_str("raw", &key_data, "PBKDF2", false, &usages)?)
            .await?
            .unchecked_into();
    let salt: Object = Uint8Array::from(salt).into();
    let params = Pbkdf2Params::new("PBKDF2", &"SHA-256".into(), iterations, &salt);
    let bits = JsFuture::from(subtle.derive_bits_with_object(&params, &key, HASH_BITS)?).await?;
    Ok(Uint8Array::new(&bits).to_vec())
}

fn subtle() -> worker::Result<SubtleCrypto> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    Ok(scope.crypto()?.subtle())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
