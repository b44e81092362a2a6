//! The token lifecycle over HTTP (SPEC 3 and 8): create with expiry and permissions; list
//! with filters, sorts and cursors; detail and history; revoke, reassign, delete. (Pre-shared
//! token strings are `preshared.rs`.)

use reqwest::StatusCode;
use serde_json::json;
use shared::api::{EventKind, EventList, Token, TokenList};
use shared::TokenStatus;
use std::time::Duration;
use tests::answers::error_body as code;
use tests::answers::expect_error;
use tests::{wait, TestServer};

fn names(list: &TokenList) -> Vec<&str> {
    list.items.iter().map(|t| t.name.as_str()).collect()
}

fn in_seconds(s: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    shared::time::rfc3339_from_millis(now + s * 1000).unwrap()
}

#[tokio::test]
async fn create_validates_expiry_and_permissions() {
    let (_server, owner) = TestServer::with_owner().await;
    let expires = in_seconds(7 * 86_400);
    let created = owner
        .create_token(json!({"name": "week", "expiresAt": expires, "preset": "full-access"}))
        .await;
    assert_eq!(
        created.token.expires_at.map(|at| at.to_string()),
        Some(expires.clone())
    );
    assert_eq!(
        created.token.permissions.to_string(),
        "configs:*,agents:*,heartbeat:*,tokens:*,users:*"
    );
    let custom = owner
        .create_token(json!({"name": "custom", "permissions": "agents:read, configs:*"}))
        .await;
    assert_eq!(
        custom.token.permissions.to_string(),
        "configs:*,agents:read",
        "stored in canonical form"
    );

    for (body, expected) in [
        (
            json!({"name": "past", "expiresAt": in_seconds(-60)}),
            "invalid_request",
        ),
        (
            json!({"name": "garbage", "expiresAt": "next tuesday"}),
            "invalid_request",
        ),
        (
            json!({"name": "number", "expiresAt": 1_900_000_000}),
            "invalid_request",
        ),
        // Year 9999 is a typo ("in 7,978 years"), not a plan: a century ahead at most.
        (
            json!({"name": "typo", "expiresAt": "9999-12-31T00:00:00Z"}),
            "invalid_request",
        ),
        (
            json!({"name": "both", "preset": "full-access", "permissions": "tokens:read"}),
            "invalid_request",
        ),
        (
            json!({"name": "bad perm", "permissions": "dns:read"}),
            "invalid_request",
        ),
        (
            json!({"name": "empty perm", "permissions": ""}),
            "invalid_request",
        ),
        (
            json!({"name": "bad preset", "preset": "root"}),
            "invalid_request",
        ),
    ] {
        let (status, error, _) = code(owner.post("/api/tokens", &body).await).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::BAD_REQUEST, expected),
            "{body}"
        );
    }

    // Never beyond the creator's role: a Manager gets at most the Manager's permissions.
    let manager = owner.create_user("m", "manager").await;
    let full = manager
        .create_token(json!({"name": "m full", "preset": "full-access"}))
        .await;
    assert_eq!(
        full.token.permissions.to_string(),
        "configs:*,agents:*,heartbeat:*,tokens:*"
    );
    let message = expect_error(
        manager
            .post(
                "/api/tokens",
                &json!({"name": "m users", "permissions": "users:read"}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "permission_exceeds_role",
    )
    .await;
    assert!(message.contains("configs:*"), "{message}");
    assert_eq!(
        owner.tokens("").await.total,
        3,
        "refused creates left nothing behind"
    );
}

#[tokio::test]
async fn an_expired_token_lists_as_expired_and_is_refused() {
    let (server, owner) = TestServer::with_owner().await;
    let short = owner.create_token(json!({"name": "short-lived", "expiresAt": in_seconds(2), "permissions": "tokens:read"})).await;
    owner.create_token(json!({"name": "forever"})).await;
    let id = short.token.id.clone();
    wait::until("the token to expire", Duration::from_secs(15), || async {
        let token: Token = owner
            .get(&format!("/api/tokens/{id}"))
            .await
            .json()
            .await
            .ok()?;
        (token.status == TokenStatus::Expired).then_some(())
    })
    .await;
    assert_eq!(
        names(&owner.tokens("?status=expired").await),
        vec!["short-lived"]
    );
    assert_eq!(
        names(&owner.tokens("?status=active").await),
        vec!["forever"]
    );
    assert!(owner.tokens("?status=revoked").await.items.is_empty());
    let refused = server
        .send(
            server
                .http()
                .get(server.url("/api/tokens"))
                .bearer_auth(&short.secret),
        )
        .await;
    assert_eq!(
        tests::answers::token_refusal(refused).await,
        "Token expired"
    );
}

#[tokio::test]
async fn list_filters_sorts_and_pages() {
    let (_server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("mgr", "manager").await;
    for name in ["Alpha prod", "beta PROD", "gamma", "Delta", "epsilon prod"] {
        owner.create_token(json!({"name": name})).await;
    }
    let revoked = owner.create_token(json!({"name": "zeta"})).await;
    owner
        .post(
            &format!("/api/tokens/{}/revoke", revoked.token.id),
            &json!({}),
        )
        .await;
    manager.create_token(json!({"name": "managers own"})).await;

    let found = owner.tokens("?q=PrOd&sort=name&order=asc").await;
    assert_eq!(
        names(&found),
        vec!["Alpha prod", "beta PROD", "epsilon prod"]
    );
    assert_eq!(found.total, 3);
    assert_eq!(names(&owner.tokens("?status=revoked").await), vec!["zeta"]);
    assert_eq!(owner.tokens("?status=active").await.total, 6);
    let by_owner = owner.tokens(&format!("?owner={}", manager.user_id())).await;
    assert_eq!(names(&by_owner), vec!["managers own"]);
    assert_eq!(by_owner.items[0].owner_name.as_deref(), Some("mgr"));
    assert_eq!(
        names(&manager.tokens("").await),
        vec!["managers own"],
        "a Manager sees only theirs"
    );

    let desc = owner.tokens("?sort=name&order=desc&limit=200").await;
    assert_eq!(names(&desc)[..3], ["zeta", "managers own", "gamma"]);

    // Every sort order pages through all seven tokens exactly once, ties included.
    for sort in ["createdAt", "name", "lastUsedAt", "expiresAt"] {
        for order in ["asc", "desc"] {
            let mut seen = Vec::new();
            let mut query = format!("?sort={sort}&order={order}&limit=2");
            loop {
                let page = owner.tokens(&query).await;
                assert_eq!(page.total, 7);
                seen.extend(page.items.iter().map(|t| t.id.clone()));
                match page.next_cursor {
                    Some(cursor) => {
                        query = format!("?sort={sort}&order={order}&limit=2&cursor={cursor}")
                    }
                    None => break,
                }
            }
            let unique: std::collections::HashSet<_> = seen.iter().collect();
            assert_eq!((seen.len(), unique.len()), (7, 7), "{sort} {order}");
        }
    }
    let (status, _, message) = code(owner.get("/api/tokens?sort=name&cursor=v1.createdAt.desc.n1.6f1e2d3c-4b5a-4d3b-9a5c-1b4e28ba2fa1").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{message}");
}

#[tokio::test]
async fn detail_history_revoke_and_reassign() {
    let (server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("newowner", "manager").await;
    let created = owner
        .create_token(json!({"name": "moving", "permissions": "tokens:read,users:read"}))
        .await;
    let id = created.token.id.clone();
    let holder = server.http().clone();
    let as_token =
        |path: &str| server.send(holder.get(server.url(path)).bearer_auth(&created.secret));

    let detail = owner.token(id).await;
    assert_eq!(detail, created.token);
    assert_eq!(
        as_token("/api/users").await.status(),
        StatusCode::OK,
        "users:read while owned by the Owner"
    );

    let moved = owner.reassign(id, manager.user_id()).await;
    assert_eq!(moved.status(), StatusCode::OK);
    let moved: Token = moved.json().await.unwrap();
    assert_eq!(moved.owner_id, Some(manager.user_id()));
    assert_eq!(
        moved.permissions.to_string(),
        "tokens:read,users:read",
        "the grant is unchanged…"
    );
    assert_eq!(
        as_token("/api/users").await.status(),
        StatusCode::FORBIDDEN,
        "…but narrows to a Manager's role"
    );
    assert_eq!(as_token("/api/tokens").await.status(), StatusCode::OK);
    let seen_by_manager: TokenList = manager.get_json("/api/tokens").await;
    assert_eq!(names(&seen_by_manager), vec!["moving"]);

    let revoked = owner
        .post(&format!("/api/tokens/{id}/revoke"), &json!({}))
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let revoked: Token = revoked.json().await.unwrap();
    assert_eq!(
        (revoked.status, revoked.revoked_by.as_deref()),
        (TokenStatus::Revoked, Some("owner"))
    );
    expect_error(
        owner
            .post(&format!("/api/tokens/{id}/revoke"), &json!({}))
            .await,
        StatusCode::CONFLICT,
        "already_revoked",
    )
    .await;

    let history: EventList = owner.get_json(&format!("/api/tokens/{id}/history")).await;
    let kinds: Vec<EventKind> = history.items.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::Revoked,
            EventKind::Reassigned,
            EventKind::FirstUse,
            EventKind::Created
        ],
        "newest first; the token's own requests above were its first use"
    );
    assert_eq!(
        history.items[1].detail.as_deref(),
        Some("from The Owner to newowner")
    );
    assert!(history
        .items
        .iter()
        .filter(|e| e.kind != EventKind::FirstUse)
        .all(|e| e.actor.as_deref() == Some("owner")));

    // Reassigning needs an existing, enabled, token-holding user, and is for Owner/Administrator.
    let viewer = owner.create_user("v", "viewer").await;
    for (user, status) in [
        (
            "6f1e2d3c-4b5a-4d3b-9a5c-1b4e28ba2fa1",
            StatusCode::NOT_FOUND,
        ),
        ("nope", StatusCode::BAD_REQUEST),
        (&viewer.user_id().to_string(), StatusCode::BAD_REQUEST),
    ] {
        let response = owner.reassign(id, user).await;
        assert_eq!(response.status(), status, "{user}");
    }
    let own = manager
        .create_token(json!({"name": "mine", "permissions": "tokens:read"}))
        .await;
    let response = manager.reassign(own.token.id, owner.user_id()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// Revoking changes nothing for an expired token (`TokenStatus::may_revoke`): refused, alone
/// or in bulk, by name, and nothing changes.
#[tokio::test]
async fn revoking_an_expired_token_changes_nothing_alone_or_in_bulk_and_says_so() {
    let (server, owner) = TestServer::with_owner().await;
    let mut ids = Vec::new();
    for name in ["lapsed", "working", "held"] {
        ids.push(owner.agent_token(name).await.token.id);
    }
    server.sql(&format!(
        "UPDATE tokens SET expires_at = 1700000000001 WHERE id = '{}'",
        ids[0]
    ));
    assert_eq!(owner.token(ids[0]).await.status, TokenStatus::Expired);

    let message = expect_error(
        owner
            .post(&format!("/api/tokens/{}/revoke", ids[0]), &json!({}))
            .await,
        StatusCode::CONFLICT,
        "already_expired",
    )
    .await;
    assert!(message.contains("\u{201c}lapsed\u{201d}"), "{message}");
    let message = expect_error(
        owner
            .post("/api/tokens/bulk-revoke", &json!({ "ids": ids }))
            .await,
        StatusCode::CONFLICT,
        "already_expired",
    )
    .await;
    assert!(
        message.contains("1 of the tokens have expired"),
        "{message}"
    );
    for (id, status) in ids.iter().zip([
        TokenStatus::Expired,
        TokenStatus::Active,
        TokenStatus::Active,
    ]) {
        assert_eq!(owner.token(id).await.status, status, "nothing changed");
    }
    // What the SPA sends for that selection, the others: revoked, the expired one untouched.
    let answer = owner
        .post("/api/tokens/bulk-revoke", &json!({ "ids": ids[1..] }))
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let expired = owner.token(ids[0]).await;
    assert_eq!(
        (expired.status, expired.revoked_at),
        (TokenStatus::Expired, None)
    );
    assert_eq!(owner.token(ids[2]).await.status, TokenStatus::Revoked);
}
