//! What the Workers runtime provides that pure code cannot: the clock and a CSPRNG.

use shared::token::{TokenSecret, TOKEN_RANDOM_BYTES};
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// Web Crypto's CSPRNG, available in every Workers isolate.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// Milliseconds since the Unix epoch, from the isolate's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// `N` bytes from the runtime's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    get_random_values(&mut bytes);
    bytes
}

/// A fresh token string from 32 bytes of the runtime's CSPRNG.
pub fn new_token_secret() -> TokenSecret {
    TokenSecret::from_random_bytes(&random_bytes::<TOKEN_RANDOM_BYTES>())
}

/// A random UUID v4 (uuid's `js` feature draws on the same CSPRNG).
pub fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::new_v4()
}
