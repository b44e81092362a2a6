//! What goes out: JSON answers, empty ones, extra headers, and the security headers every
//! answer carries. Knows nothing of errors or requests.

use serde::Serialize;
use worker::{Headers, Response};

/// A JSON response. API answers are never cached: they describe credentials.
pub fn json<T: Serialize>(status: u16, body: &T) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| {
        r#"{"error":"internal_error","message":"response could not be encoded"}"#.to_owned()
    });
    let headers = Headers::new();
    // Header names and values here are constants; setting them cannot fail.
    let _ = headers.set("Content-Type", "application/json; charset=utf-8");
    let _ = headers.set("Cache-Control", "no-store");
    let _ = headers.set("X-Content-Type-Options", "nosniff");
    Response::builder()
        .with_status(status)
        .with_headers(headers)
        .fixed(text.into_bytes())
}

/// `204 No Content`, uncached.
/// What an admin page cost D1, for the browser's DevTools and `make bench` (README, Admin
/// reads): `Server-Timing: d1;desc="rows read N"`.
pub fn with_rows_read(response: Response, rows_read: usize) -> Response {
    with_header(
        response,
        "Server-Timing",
        &format!("d1;desc=\"rows read {rows_read}\""),
    )
}

pub fn no_content() -> Response {
    let headers = Headers::new();
    let _ = headers.set("Cache-Control", "no-store");
    Response::builder()
        .with_status(204)
        .with_headers(headers)
        .empty()
}

pub fn with_header(mut response: Response, name: &str, value: &str) -> Response {
    let _ = response.headers_mut().set(name, value);
    response
}

/// One `Set-Cookie` header per cookie (a header that may not be folded into one line).
pub fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for cookie in cookies {
        let _ = response.headers_mut().append("Set-Cookie", cookie);
    }
    response
}

/// What every API answer carries besides its own headers: it may not be framed, it leaks no
/// referrer, its type is not sniffed, and over https browsers are told to stay on https. (The
/// SPA's pages get the same from `dist/_headers`, with their script policy.)
pub fn with_security_headers(mut response: Response, https: bool) -> Response {
    let headers = response.headers_mut();
    let _ = headers.set(
        "Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    let _ = headers.set("X-Frame-Options", "DENY");
    let _ = headers.set("Referrer-Policy", "no-referrer");
    let _ = headers.set("X-Content-Type-Options", "nosniff");
    if https {
        let _ = headers.set(
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains",
        );
    }
    response
}
