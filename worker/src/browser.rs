//! What a browser brings with it: the session cookie (its name, attributes and value), the
//! device cookie that makes it a known browser for sign-in throttling, and the same-origin rule
//! for changes made with the session.

use crate::error::ApiError;
use shared::account::cookie_is_secure;
use shared::ErrorCode;
use worker::Request;

/// The session cookie's name over plain http on localhost (development)…
pub const SESSION_COOKIE: &str = "tc_session";
/// …and everywhere else: a `__Host-` cookie is only accepted from a secure origin, for this
/// exact host and path `/`, so no subdomain or plain-http page can plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-tc_session";

/// Whether this request's session cookie is the `Secure`, `__Host-` one.
fn secure_request(req: &Request) -> bool {
    match req.url() {
        Ok(url) => cookie_is_secure(url.scheme(), url.host_str()),
        Err(_) => true,
    }
}

/// The name of the session cookie for this request.
pub fn session_cookie_name(req: &Request) -> &'static str {
    if secure_request(req) {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session cookie's value, read only under the name this request's scheme calls for.
pub fn session_cookie_value(req: &Request) -> Option<String> {
    cookie(req, session_cookie_name(req))
}

/// The device cookie's name over plain http on localhost…
pub const DEVICE_COOKIE: &str = "tc_device";
/// …and everywhere else. `__Secure-`, which browsers accept only with `Secure` from a secure
/// origin, rather than `__Host-`, which would need `Path=/`: this cookie goes to sign-in only.
pub const SECURE_DEVICE_COOKIE: &str = "__Secure-tc_device";

fn device_cookie_name(req: &Request) -> &'static str {
    if secure_request(req) {
        SECURE_DEVICE_COOKIE
    } else {
        DEVICE_COOKIE
    }
}

/// The device cookie's value (read only under the name this request's scheme calls for), when
/// it has the form one is issued in: 64 hexadecimal digits.
pub fn device_cookie_value(req: &Request) -> Option<String> {
    cookie(req, device_cookie_name(req))
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `Set-Cookie` value for a device cookie (`db::devices`): HttpOnly, SameSite=Strict,
/// `Path=/api/auth` (sent to sign-in, never to the rest of the API), and Secure except over
/// plain http on localhost.
pub fn device_cookie(req: &Request, value: &str, max_age_ms: i64) -> String {
    let secure = if secure_request(req) { "; Secure" } else { "" };
    format!(
        "{}={value}; Max-Age={}; Path=/api/auth; HttpOnly; SameSite=Strict{secure}",
        device_cookie_name(req),
        (max_age_ms / 1000).max(0)
    )
}

/// A cookie's value from the `Cookie` header.
fn cookie(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_owned())
    })
}

/// The `Set-Cookie` value for a session: HttpOnly, SameSite=Strict, Path=/, and Secure with
/// the `__Host-` prefix except over plain http on localhost, where browsers would drop it.
pub fn session_cookie(req: &Request, value: &str, max_age_ms: i64) -> String {
    let secure = if secure_request(req) { "; Secure" } else { "" };
    format!(
        "{}={value}; Max-Age={}; Path=/; HttpOnly; SameSite=Strict{secure}",
        session_cookie_name(req),
        (max_age_ms / 1000).max(0)
    )
}

/// Changes that rely on the cookie must come from our own pages: the `Origin` header must be
/// ours or, without it, `Sec-Fetch-Site` must say same-origin. Browsers send at least one.
pub fn require_same_origin(req: &Request) -> Result<(), ApiError> {
    let refused = || {
        ApiError::client(
            ErrorCode::CrossOrigin,
            "this change was sent from another site; make it from the app itself, or use an API token",
        )
    };
    let headers = req.headers();
    if let Some(origin) = headers.get("Origin").ok().flatten() {
        let ours = req
            .url()
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        return if origin == ours {
            Ok(())
        } else {
            Err(refused())
        };
    }
    match headers.get("Sec-Fetch-Site").ok().flatten().as_deref() {
        Some("same-origin") => Ok(()),
        _ => Err(refused()),
    }
}

/// Sign-in and setup carry no cookie yet, but a login from a foreign page is still refused
/// when the browser says so.
pub fn refuse_foreign_origin(req: &Request) -> Result<(), ApiError> {
    let has_origin = req.headers().get("Origin").ok().flatten().is_some();
    let fetch_site = req.headers().get("Sec-Fetch-Site").ok().flatten();
    if has_origin
        || fetch_site
            .as_deref()
            .is_some_and(|s| s == "cross-site" || s == "same-site")
    {
        require_same_origin(req)
    } else {
        Ok(())
    }
}
