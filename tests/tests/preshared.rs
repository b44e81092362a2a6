//! Pre-shared token strings (SPEC 3, Telegraf Controller's): a caller may bring the token
//! string, unless `DISABLE_PRESHARED_TOKENS=true` switches that off.

use reqwest::StatusCode;
use serde_json::json;
use shared::api::Capabilities;
use tests::answers::error_body as code;
use tests::TestServer;

#[tokio::test]
async fn pre_shared_tokens_when_enabled() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let caps: Capabilities = owner
        .get("/api/tokens/capabilities")
        .await
        .json()
        .await
        .unwrap();
    assert!(caps.pre_shared_tokens_enabled);
    let raw = format!("tc-apiv1_{}", "5eed".repeat(16));
    let created = owner
        .create_token(json!({"name": "fleet A", "rawToken": raw, "permissions": "tokens:read"}))
        .await;
    assert_eq!(created.secret, raw);
    assert_eq!(created.token.source, shared::TokenSource::Preshared);
    let works = server
        .send(
            server
                .http()
                .get(server.url("/api/tokens"))
                .header("Authorization", format!("Token {raw}")),
        )
        .await;
    assert_eq!(works.status(), StatusCode::OK);

    let (status, error, _) = code(
        owner
            .post("/api/tokens", &json!({"name": "fleet B", "rawToken": raw}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::CONFLICT, "token_value_conflict")
    );
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
    let caps: Capabilities = owner
        .get("/api/tokens/capabilities")
        .await
        .json()
        .await
        .unwrap();
    assert!(!caps.pre_shared_tokens_enabled);
    let raw = format!("tc-apiv1_{}", "5eed".repeat(16));
    let (status, error, _) = code(
        owner
            .post("/api/tokens", &json!({"name": "fleet A", "rawToken": raw}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::FORBIDDEN, "preshared_tokens_disabled")
    );
    owner
        .create_token(json!({"name": "generated still works"}))
        .await;
    assert_eq!(owner.tokens("").await.total, 1);
}
