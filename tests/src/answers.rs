//! Reading an error answer the way the tests compare it: status with the error code, the
//! message, or both. Every error the API sends is `{"error", "message"}` (the contract check
//! has already made sure of that), so anything else is a test failure here.

use reqwest::{Response, StatusCode};
use shared::ErrorBody;

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
