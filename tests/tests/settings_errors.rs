//! Issue 24: every setting the worker reads, set to something it cannot use, is a 503
//! `misconfigured` naming it on the requests that need it (never a 500), and everything else
//! answers as usual; against the real worker and its local D1. A setting left unset switches
//! its feature off (the README's table; each feature's own tests show that).

use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;
use tests::answers::expect_error;
use tests::scanning::unverifiable_report;
use tests::{Actor, Telegraf, TestServer};

/// A server with `name` set to `value`, and its Owner, who checks that what does not need the
/// setting answers as usual: the health check, the token list, and an agent's download.
async fn misconfigured(name: &str, value: &str) -> (TestServer, Actor) {
    let server = TestServer::builder().var(name, value).start().await;
    let owner = server.owner().await;
    assert_eq!(server.get("/api/health").await.status(), StatusCode::OK);
    assert_eq!(owner.get("/api/tokens").await.status(), StatusCode::OK);
    let config = owner.create_config("edge", "[agent]\n").await;
    let agent = owner.agent_token("agent").await;
    let download = Telegraf::new(&server, &agent.secret).fetch(config.id).await;
    assert_eq!(download.status(), StatusCode::OK, "{name}={value}");
    (server, owner)
}

/// `request`'s answer is 503 `misconfigured` with a message naming `name`.
async fn names_it(owner: &Actor, request: reqwest::RequestBuilder, name: &str) {
    let message = expect_error(
        owner.send(request).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "misconfigured",
    )
    .await;
    assert!(message.contains(name), "{message}");
}

#[tokio::test]
async fn owner_token_that_is_not_a_token_string() {
    let (server, owner) = misconfigured("OWNER_TOKEN", "owner-token-2026").await;
    let presenting = |value: &str| {
        server
            .http()
            .get(server.url("/api/tokens"))
            .bearer_auth(value)
    };
    names_it(&owner, presenting("owner-token-2026"), "OWNER_TOKEN").await;
    // Any other malformed token is what it always was.
    let other = expect_error(
        server.send(presenting("owner-token-2027")).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_eq!(other, "Invalid token format");
}

#[tokio::test]
async fn audit_key_without_an_id() {
    let (_server, owner) = misconfigured("AUDIT_KEY", "a-secret-without-an-id").await;
    for path in ["/api/audit", "/api/audit/verify", "/api/audit/export"] {
        names_it(&owner, owner.request(Method::GET, path), "AUDIT_KEY").await;
    }
}

#[tokio::test]
async fn audit_webhook_url_that_is_not_a_url() {
    let (_server, owner) = misconfigured("AUDIT_WEBHOOK_URL", "audit.example.com/hook").await;
    names_it(
        &owner,
        owner.request(Method::GET, "/api/audit/forwarding"),
        "AUDIT_WEBHOOK_URL",
    )
    .await;
    // The log itself reads as usual: only forwarding waits.
    assert_eq!(owner.get("/api/audit").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn expiry_webhook_url_that_is_not_a_url() {
    // No request needs it: the daily run does, and says so in the log.
    let (server, _owner) = misconfigured("EXPIRY_WEBHOOK_URL", "ftp://hooks.example.com/x").await;
    assert_eq!(
        server.get("/__scheduled?cron=0+6+*+*+*").await.status(),
        StatusCode::OK
    );
    let named = "EXPIRY_WEBHOOK_URL is not an http:// or https:// URL";
    tests::wait::until(
        "the daily run to name EXPIRY_WEBHOOK_URL in the log",
        Duration::from_secs(10),
        || async { server.log().contains(named).then_some(()) },
    )
    .await;
}

#[tokio::test]
async fn secret_scanning_keys_that_are_not_json() {
    let (server, owner) = misconfigured("SECRET_SCANNING_KEYS", "key-1: -----BEGIN").await;
    names_it(&owner, unverifiable_report(&server), "SECRET_SCANNING_KEYS").await;
}

#[tokio::test]
async fn secret_scanning_keys_url_that_is_not_a_url() {
    let (server, owner) = misconfigured(
        "SECRET_SCANNING_KEYS_URL",
        "api.github.com/meta/public_keys/secret_scanning",
    )
    .await;
    names_it(
        &owner,
        unverifiable_report(&server),
        "SECRET_SCANNING_KEYS_URL",
    )
    .await;
}

#[tokio::test]
async fn disable_preshared_tokens_that_is_neither_true_nor_false() {
    let (_server, owner) = misconfigured("DISABLE_PRESHARED_TOKENS", "yes").await;
    names_it(
        &owner,
        owner.request(Method::GET, "/api/tokens/capabilities"),
        "DISABLE_PRESHARED_TOKENS",
    )
    .await;
    let preshared = json!({ "name": "pre-shared", "permissions": "configs:read",
        "rawToken": format!("tc-apiv1_{}", "ab".repeat(32)) });
    names_it(
        &owner,
        owner.request(Method::POST, "/api/tokens").json(&preshared),
        "DISABLE_PRESHARED_TOKENS",
    )
    .await;
    // A generated token does not need it.
    let generated = owner
        .post(
            "/api/tokens",
            &json!({ "name": "generated", "permissions": "configs:read" }),
        )
        .await;
    assert_eq!(generated.status(), StatusCode::CREATED);
}
