//! Reading an error answer the way the tests compare it: status with the error code, the
//! message, or both. Every error the API sends is `{"error", "message"}` (the contract check
//! has already made sure of that), so anything else is a test failure here.

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use shared::ErrorBody;

/// The answer as `T`, after checking its status; anything else panics with the request and
/// the body, so a failing test says what the server said.
pub async fn expect_json<T: DeserializeOwned>(response: Response, status: StatusCode) -> T {
    let (got, url) = (response.status(), response.url().clone());
    let text = response.text().await.expect("read the answer");
    assert_eq!(got, status, "{url}: {text}");
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{url}: not the expected JSON ({e}): {text}"))
}

/// Asserts a refusal by its status and error code; returns the message for further checks.
pub async fn expect_error(response: Response, status: StatusCode, code: &str) -> String {
    let url = response.url().clone();
    let (got, body) = body(response).await;
    assert_eq!(
        (got, body.error.as_str()),
        (status, code),
        "{url}: {}",
        body.message
    );
    assert!(
        !body.message.is_empty(),
        "{url}: an error without a message"
    );
    body.message
}

/// Why an API token was refused (401 `invalid_token`): the exact message agents log, such as
/// "Token revoked".
pub async fn token_refusal(response: Response) -> String {
    expect_error(response, StatusCode::UNAUTHORIZED, "invalid_token").await
}

/// Fails the test with every collected failure at once, when there are any.
pub fn assert_none(failures: &[String], what: &str) {
    assert!(
        failures.is_empty(),
        "{} {what}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The seconds a 429 asks the caller to wait (`Retry-After`).
pub fn retry_after(response: &Response) -> u64 {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    response.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("Retry-After in whole seconds")
}

async fn body(response: Response) -> (StatusCode, ErrorBody) {
    let status = response.status();
    let text = response.text().await.expect("read the answer");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status} is not an error body ({e}): {text}"));
    (status, body)
}

/// `(status, "error_code")`.
pub async fn error_code(response: Response) -> (StatusCode, String) {
    let (status, body) = body(response).await;
    (status, body.error.as_str().to_owned())
}

/// `(status, "the message")`, as agents see the refusal.
pub async fn error_message(response: Response) -> (StatusCode, String) {
    let (status, body) = body(response).await;
    (status, body.message)
}

/// `(status, "error_code", "the message")`.
pub async fn error_body(response: Response) -> (StatusCode, String, String) {
    let (status, body) = body(response).await;
    (status, body.error.as_str().to_owned(), body.message)
}

/// The rows D1 read for a token-list answer, as the worker reports them in
/// `Server-Timing: d1;desc="rows read N"`.
pub fn rows_read(response: &Response) -> u64 {
    d1_figure(response, "rows read ")
}

/// The rows D1 wrote for the answer (`written N` in its `Server-Timing`: the agent path).
pub fn rows_written(response: &Response) -> u64 {
    d1_figure(response, "written ")
}

/// The number after `label` in the answer's `Server-Timing`.
fn d1_figure(response: &Response, label: &str) -> u64 {
    let timing = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    timing
        .split(label)
        .nth(1)
        .and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("no {label:?} in Server-Timing {timing:?}"))
}
