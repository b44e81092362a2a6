//! Attacks, each written as the exact request sequence an attacker would send (issue 8). Every
//! test here failed against the code before the fix and passes after it.
//!
//! One module per area: `roles` (holes 1, 8 and 9), `bootstrap` (2 and the bootstrap part of
//! 11), `signin` (3, 4 and the session cookie of 11), `requests` (5, 6, 7 and the invalid-token
//! limit of 11), `headers` (10).

mod bootstrap;
mod headers;
mod requests;
mod roles;
mod signin;

use reqwest::StatusCode;
use serde_json::Value;
use shared::api::Token;
use std::time::{SystemTime, UNIX_EPOCH};
use tests::{Actor, TestServer};

pub const OWNER_TOKEN_A: &str =
    "tc-apiv1_a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11c";
pub const OWNER_TOKEN_B: &str =
    "tc-apiv1_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

pub async fn code(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

pub async fn token(actor: &Actor, id: &str) -> Token {
    let response = actor.get(&format!("/api/tokens/{id}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A GET with this token string as the bearer.
pub async fn with_bearer(server: &TestServer, secret: &str, path: &str) -> reqwest::Response {
    server
        .send(server.http().get(server.url(path)).bearer_auth(secret))
        .await
}

/// The status and the error message of an answer.
pub async fn message(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (
        status,
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}
