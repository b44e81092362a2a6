//! What the Workers runtime provides that pure code cannot: the clock and a CSPRNG.

use shared::token::{TokenSecret, TOKEN_RANDOM_BYTES};
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// Web Crypto's CSPRNG, available in every Workers isolate.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// A setting: the secret `name`, else the variable `name` (wrangler.toml's `[vars]`, or
/// `.dev.vars` locally); `None` when neither is set or it is blank.
pub fn setting(env: &worker::Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// A setting that must be an `http://` or `https://` URL: `None` when unset, and the
/// operator's message naming it when it is set to anything else.
pub fn url_setting(env: &worker::Env, name: &str) -> Result<Option<String>, String> {
    let Some(raw) = setting(env, name) else {
        return Ok(None);
    };
    let raw = raw.trim();
    match worker::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(Some(raw.to_owned()))
        }
        _ => Err(format!("{name} is not an http:// or https:// URL")),
    }
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
