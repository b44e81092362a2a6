//! Pre-shared token strings (SPEC 3, Telegraf Controller's): a caller may bring the token
//! string, unless `DISABLE_PRESHARED_TOKENS=true` switches that off.

use reqwest::StatusCode;
use serde_json::json;
use shared::api::Capabilities;
use tests::answers::error_body as code;
use tests::answers::expect_error;
use tests::{Actor, TestServer};

/// Asks for a token with a pre-shared string.
async fn preshared(owner: &Actor, name: &str, raw: &str) -> reqwest::Response {
    owner
        .post("/api/tokens", &json!({ "name": name, "rawToken": raw }))
        .await
}

#[tokio::test]
async fn pre_shared_tokens_when_enabled() {
    let (server, owner) = TestServer::with_owner().await;
    let caps: Capabilities = owner.get_json("/api/tokens/capabilities").await;
    assert!(caps.pre_shared_tokens_enabled);
    let raw = format!("tc-apiv1_{}", "5eed".repeat(16));
    let created = owner
        .create_token(json!({"name": "fleet A", "rawToken": raw, "permissions": "tokens:read"}))
        .await;
    assert_eq!(created.secret, raw);
    assert_eq!(created.token.source, shared::TokenSource::Preshared);
    let request = server.http().get(server.url("/api/tokens"));
    let works = server
        .send(request.header("Authorization", format!("Token {raw}")))
        .await;
    assert_eq!(works.status(), StatusCode::OK);

    expect_error(
        preshared(&owner, "fleet B", &raw).await,
        StatusCode::CONFLICT,
        "token_value_conflict",
    )
    .await;
    for bad in [
        "tc-apiv1_123",
        &raw.to_uppercase(),
        &format!(" {raw}"),
        "",
        "tc-apiv1_ZZZZ5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed",
    ] {
        let (status, error, _) = code(
            owner
                .post("/api/tokens", &json!({"name": "fleet C", "rawToken": bad}))
                .await,
        )
        .await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{bad:?}"
        );
    }
    assert_eq!(owner.tokens("").await.total, 1);
}

#[tokio::test]
async fn pre_shared_tokens_when_disabled() {
    let server = TestServer::builder()
        .var("DISABLE_PRESHARED_TOKENS", "true")
        .start()
        .await;
    let owner = server.owner().await;
    let caps: Capabilities = owner.get_json("/api/tokens/capabilities").await;
    assert!(!caps.pre_shared_tokens_enabled);
    let raw = format!("tc-apiv1_{}", "5eed".repeat(16));
    expect_error(
        preshared(&owner, "fleet A", &raw).await,
        StatusCode::FORBIDDEN,
        "preshared_tokens_disabled",
    )
    .await;
    owner
        .create_token(json!({"name": "generated still works"}))
        .await;
    assert_eq!(owner.tokens("").await.total, 1);
}
