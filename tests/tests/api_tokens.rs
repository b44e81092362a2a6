//! The tokens API over HTTP against the real worker and a real local D1.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::api::{CreatedToken, TokenList};
use shared::token::TokenSecret;
use shared::ErrorBody;
use tests::{Actor, TestServer};

async fn create(owner: &Actor, name: &str) -> CreatedToken {
    owner.create_token(json!({ "name": name })).await
}

/// Asserts the SPEC 6 error shape and returns it.
async fn error(response: reqwest::Response, status: StatusCode, code: &str) -> ErrorBody {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.error.as_str(), code, "{body:?}");
    assert!(!body.message.is_empty());
    body
}

#[tokio::test]
async fn health_answers_ok_without_credentials() {
    let server = TestServer::start().await;
    let response = server.get("/api/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn create_shows_the_secret_once_and_the_list_never_does() {
    let (_server, owner) = TestServer::with_owner().await;
    let created = create(&owner, "  Production agents ").await;

    let secret = TokenSecret::parse(&created.secret).expect("secret in the documented format");
    assert_eq!(
        created.token.name, "Production agents",
        "surrounding spaces are trimmed"
    );
    assert_eq!(created.token.hint, secret.hint());
    assert_eq!(created.token.status, shared::TokenStatus::Active);

    assert_eq!(created.token.owner_id, Some(owner.user_id()));
    assert_eq!(created.token.owner_name.as_deref(), Some("The Owner"));
    assert_eq!(created.token.created_by.as_deref(), Some("owner"));
    assert_eq!(
        created.token.permissions.to_string(),
        "configs:read,heartbeat:write",
        "the Telegraf Agent preset by default"
    );
    let listed = owner.get("/api/tokens").await;
    assert_eq!(listed.headers()["cache-control"], "no-store");
    let text = listed.text().await.unwrap();
    assert!(
        !text.contains(&created.secret[9..]),
        "the list leaks the secret"
    );
    let list: TokenList = serde_json::from_str(&text).unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.items, vec![created.token]);
}

#[tokio::test]
async fn every_secret_is_fresh() {
    let (_server, owner) = TestServer::with_owner().await;
    let a = create(&owner, "a").await;
    let b = create(&owner, "b").await;
    assert_ne!(a.secret, b.secret);
    assert_ne!(a.token.id, b.token.id);
}

#[tokio::test]
async fn duplicate_name_is_a_conflict_in_any_ascii_case() {
    let (_server, owner) = TestServer::with_owner().await;
    create(&owner, "ci-runner").await;
    for name in ["ci-runner", "CI-Runner", " ci-runner "] {
        let response = owner.post("/api/tokens", &json!({"name": name})).await;
        error(response, StatusCode::CONFLICT, "token_name_conflict").await;
    }
    assert_eq!(
        owner.tokens("").await.total,
        1,
        "a refused create changes nothing"
    );
}

#[tokio::test]
async fn delete_removes_the_token_and_a_second_delete_is_404() {
    let (_server, owner) = TestServer::with_owner().await;
    let keep = create(&owner, "keep").await;
    let gone = create(&owner, "gone").await;
    let url = format!("/api/tokens/{}", gone.token.id);

    let response = owner.delete(&url).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    let list = owner.tokens("").await;
    assert_eq!(
        list.items
            .iter()
            .map(|t| t.id.to_string())
            .collect::<Vec<_>>(),
        vec![keep.token.id.to_string()]
    );

    let again = owner.delete(&url).await;
    let body = error(again, StatusCode::NOT_FOUND, "token_not_found").await;
    assert!(body.message.contains(&gone.token.id.to_string()));
}

#[tokio::test]
async fn deleting_an_unknown_or_malformed_id_changes_nothing() {
    let (_server, owner) = TestServer::with_owner().await;
    create(&owner, "survivor").await;
    let unknown = owner
        .delete("/api/tokens/6f1e2d3c-4b5a-4d3b-9a5c-1b4e28ba2fa1")
        .await;
    error(unknown, StatusCode::NOT_FOUND, "token_not_found").await;
    for bad in [
        "1",
        "not-a-uuid",
        "6f1e2d3c4b5a4d3b9a5c1b4e28ba2fa1",
        "'%20OR%201=1--",
        "%F0%9F%92%A3",
    ] {
        let response = owner.delete(&format!("/api/tokens/{bad}")).await;
        error(response, StatusCode::BAD_REQUEST, "invalid_id").await;
    }
    assert_eq!(owner.tokens("").await.total, 1);
}

#[tokio::test]
async fn malformed_bodies_get_a_clear_4xx() {
    let (_server, owner) = TestServer::with_owner().await;
    let post = || owner.request(Method::POST, "/api/tokens");

    let r = owner
        .send(
            post()
                .header("content-type", "text/plain")
                .body(r#"{"name":"x"}"#),
        )
        .await;
    error(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let r = owner.send(post()).await;
    error(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;

    let json_post = |body: String| post().header("content-type", "application/json").body(body);
    let r = owner.send(json_post(r#"{"name":"#.into())).await;
    let body = error(r, StatusCode::BAD_REQUEST, "invalid_json").await;
    assert!(body.message.contains("line 1"), "{body:?}");
    let r = owner.send(json_post(String::new())).await;
    error(r, StatusCode::BAD_REQUEST, "invalid_json").await;
    let r = owner
        .send(json_post(r#"{"name":"x","nmae":"y"}"#.into()))
        .await;
    let body = error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(body.message.contains("nmae"), "{body:?}");
    let r = owner.send(json_post(r#"{"name":42}"#.into())).await;
    error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    let r = owner.send(json_post(r#"{}"#.into())).await;
    let body = error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(body.message.contains("name"), "{body:?}");
    for name in ["", "   ", "tab\there"] {
        let r = owner
            .send(json_post(json!({ "name": name }).to_string()))
            .await;
        error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    }
    let r = owner
        .send(json_post(json!({ "name": "x".repeat(256) }).to_string()))
        .await;
    error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    let r = owner
        .send(json_post(
            json!({ "name": "x".repeat(70 * 1024) }).to_string(),
        ))
        .await;
    error(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;

    assert_eq!(
        owner.tokens("").await.total,
        0,
        "no malformed request created anything"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json() {
    let (_server, owner) = TestServer::with_owner().await;
    let r = owner.get("/api/nope").await;
    error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = owner.send(owner.request(Method::PUT, "/api/tokens")).await;
    assert_eq!(r.headers()["allow"], "GET, POST, HEAD");
    error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let r = owner.get("/api/tokens?colour=blue").await;
    error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    for limit in ["0", "201", "-1", "ten"] {
        let r = owner.get(&format!("/api/tokens?limit={limit}")).await;
        error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    }
    let r = owner.get("/api/tokens?cursor=garbage").await;
    error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn pages_follow_the_cursor_through_every_token_once() {
    let (_server, owner) = TestServer::with_owner().await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(create(&owner, &format!("token {i}")).await.token.id);
    }
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let page = owner.tokens(&query).await;
        assert_eq!(page.total, 5);
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|t| t.id));
        match page.next_cursor {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    created.reverse();
    assert_eq!(seen, created, "newest first, each exactly once");
}

#[tokio::test]
async fn d1_holds_no_secret_only_its_hash() {
    let (server, owner) = TestServer::with_owner().await;
    let mut secrets = Vec::new();
    for i in 0..3 {
        secrets
            .push(TokenSecret::parse(&create(&owner, &format!("agent {i}")).await.secret).unwrap());
    }
    // The rows must be on disk: read them back through the API first.
    assert_eq!(owner.tokens("").await.total, 3);

    let files = server.persisted_files();
    let mut all = Vec::new();
    for file in &files {
        all.extend(std::fs::read(file).unwrap());
    }
    let contains = |needle: &[u8]| all.windows(needle.len()).any(|w| w == needle);
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "sqlite")),
        "{files:?}"
    );
    assert!(!contains(b"tc-apiv1_"), "a token string is stored in clear");
    for secret in &secrets {
        assert!(
            !contains(&secret.expose().as_bytes()[9..]),
            "the random part of a token is stored"
        );
        assert!(
            contains(secret.hash().as_str().as_bytes()),
            "the hash should be what is stored"
        );
        assert!(
            !server.log().contains(&secret.expose()[9..]),
            "a token string reached the log"
        );
    }
}

#[tokio::test]
async fn the_spa_is_served_with_page_fallback_and_the_api_is_not() {
    let server = TestServer::start().await;
    for path in ["/", "/tokens", "/tokens/some/deep/link"] {
        let r = server.send(server.http().get(server.url(path))).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("<title>API Tokens"), "{path}: {html}");
        assert!(html.contains(".wasm"), "{path} does not load the app");
    }
    let r = server.get("/api/tokens/not-a-uuid/x").await;
    error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = server.get("/api/tokens").await;
    error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_deleted_token_leaves_no_row_anywhere() {
    let (server, owner) = TestServer::with_owner().await;
    let gone = owner.create_token(json!({"name": "gone"})).await;
    let kept = owner.create_token(json!({"name": "kept"})).await;
    let id = gone.token.id.clone();
    owner
        .post(&format!("/api/tokens/{id}/revoke"), &json!({}))
        .await;
    assert_eq!(
        server.sql(&format!(
            "SELECT COUNT(*) AS n FROM token_events WHERE token_id = '{id}'"
        ))[0]["n"],
        2
    );

    assert_eq!(
        owner.delete(&format!("/api/tokens/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        owner.get(&format!("/api/tokens/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        owner
            .get(&format!("/api/tokens/{id}/history"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Every column of every row of every table, searched for the id.
    let rows = server.every_row();
    assert!(rows.iter().any(|r| r.contains("token_events")), "{rows:?}");
    let naming = |id: &str| rows.iter().filter(|r| r.contains(id)).count();
    assert_eq!(
        naming(&id.to_string()),
        0,
        "a row still names the deleted token"
    );
    assert!(
        naming(&kept.token.id.to_string()) >= 2,
        "the search finds a live token"
    );
    let kept_events = server.sql(&format!(
        "SELECT COUNT(*) AS n FROM token_events WHERE token_id = '{}'",
        kept.token.id
    ));
    assert_eq!(
        kept_events[0]["n"], 1,
        "the other token's history is untouched"
    );
}
