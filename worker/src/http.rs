//! What a request brings in: JSON bodies (with limits), path ids, the caller's address.
//! (What goes out is `response.rs`; errors are `error.rs`, which knows neither.)

use crate::error::ApiError;
use serde::de::DeserializeOwned;
use shared::{ErrorCode, TokenId};
use worker::Request;

/// Bodies above this are refused with 413 (SPEC 6).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads a JSON body: 415 unless it is declared `application/json`, 413 above
/// [`MAX_BODY_BYTES`], 400 with serde's own words (which name the field, line and column)
/// when it does not parse into `T`.
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> Result<T, ApiError> {
    parse_json(&read_json_bytes(req).await?)
}

/// The raw bytes of a JSON body, with [`read_json`]'s checks of type, size and emptiness (for
/// a body whose signature is checked over its exact bytes before it is parsed).
pub async fn read_json_bytes(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    let content_type = req
        .headers()
        .get("Content-Type")
        .ok()
        .flatten()
        .unwrap_or_default();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != "application/json" {
        return Err(ApiError::client(
            ErrorCode::UnsupportedMediaType,
            "send the request body as JSON with the header Content-Type: application/json",
        ));
    }
    let declared = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    // A body of a declared length within the limit is taken whole, in one call into the
    // runtime (which holds the body to its Content-Length); one without is read chunk by
    // chunk and stopped at the limit. Taking it whole is what keeps a heartbeat, whose body
    // Telegraf sends with its length, near a download's cost (a stream reader is several
    // calls and promises).
    let bytes = match declared {
        Some(_) => read_whole(req).await?,
        None => read_capped(req).await?,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::client(
            ErrorCode::InvalidJson,
            "the request body is empty; send a JSON object",
        ));
    }
    Ok(bytes)
}

/// Parses a JSON body into `T`: 400 with serde's own words, which name the field, line and
/// column.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::client(
                ErrorCode::InvalidRequest,
                format!("invalid request body: {e}"),
            ),
            _ => ApiError::client(
                ErrorCode::InvalidJson,
                format!("the request body is not valid JSON: {e}"),
            ),
        }
    })
}

/// The whole body of a request that declared its length within the limit.
async fn read_whole(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    let bytes = req.bytes().await.map_err(|e| {
        ApiError::client(
            ErrorCode::InvalidRequest,
            format!("the request body could not be read: {e}"),
        )
    })?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads the body chunk by chunk and stops at the limit: a chunked body without
/// `Content-Length` is refused as soon as it is too large, however long it would go on.
async fn read_capped(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let Ok(mut stream) = req.stream() else {
        return Ok(Vec::new()); // no body at all
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::client(
                ErrorCode::InvalidRequest,
                format!("the request body could not be read: {e}"),
            )
        })?;
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn too_large() -> ApiError {
    ApiError::client(
        ErrorCode::PayloadTooLarge,
        format!(
            "the request body exceeds the limit of {} KiB",
            MAX_BODY_BYTES / 1024
        ),
    )
}

/// A token id from the path: 400 unless it is a UUID.
pub fn token_id(raw: &str) -> Result<TokenId, ApiError> {
    TokenId::parse(raw).ok_or_else(|| {
        ApiError::client(ErrorCode::InvalidId, "the token id in the path must be a UUID, for example 1b4e28ba-2fa1-4d3b-9a5c-6f1e2d3c4b5a")
    })
}

/// The query string's pairs, decoded, in order (each list parses them with its own rules).
pub fn query_pairs(req: &Request) -> worker::Result<Vec<(String, String)>> {
    Ok(req
        .url()?
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

/// The caller's address from `CF-Connecting-IP`. On Cloudflare the edge sets that header to
/// the address the connection came from, replacing any value the client sent, so a client
/// cannot forge it. Under `wrangler dev` nothing replaces it: a value the client sends is
/// taken as is (the integration tests use this to act from many addresses). `X-Forwarded-For`
/// is never read: any client can write anything in it.
pub fn client_ip(req: &Request) -> Option<String> {
    req.headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .map(|ip| ip.chars().take(64).collect())
}

/// The key [`client_ip`] is counted under by the throttles (`shared::throttle::address_key`):
/// the address for IPv4, its /64 for IPv6, one shared key when it is missing or unreadable.
pub fn client_key(req: &Request) -> String {
    shared::throttle::address_key(client_ip(req).as_deref().unwrap_or_default())
}
