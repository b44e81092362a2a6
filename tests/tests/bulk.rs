//! Bulk delete, revoke and reassign: 1 to 1,000 distinct ids, all or nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::TokenId;
use tests::answers::error_body as code;
use tests::answers::expect_error;
use tests::{Actor, TestServer};

/// Creates `n` tokens, eight requests at a time.
async fn create_many(actor: &Actor, prefix: &str, n: usize) -> Vec<TokenId> {
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(8) {
        let mut set = tokio::task::JoinSet::new();
        for &i in chunk {
            let (actor, name) = (actor.clone(), format!("{prefix} {i:04}"));
            set.spawn(async move { actor.create_token(json!({ "name": name })).await.token.id });
        }
        while let Some(id) = set.join_next().await {
            ids.push(id.expect("a create task"));
        }
    }
    ids
}

#[tokio::test]
async fn bulk_delete_of_a_thousand_tokens_in_one_request() {
    let (server, owner) = TestServer::with_owner().await;
    let ids = create_many(&owner, "fleet", 1000).await;
    let survivor = owner.create_token(json!({"name": "survivor"})).await;
    assert_eq!(owner.all_tokens().await.len(), 1001);

    let response = owner
        .post("/api/tokens/bulk-delete", &json!({ "ids": ids }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"deleted": 1000})
    );
    let left = owner.all_tokens().await;
    assert_eq!(
        left.iter().map(|t| t.id.to_string()).collect::<Vec<_>>(),
        vec![survivor.token.id.to_string()]
    );
    let events = server.sql("SELECT COUNT(*) AS n FROM token_events");
    assert_eq!(events[0]["n"], 1, "only the survivor's history remains");
}

#[tokio::test]
async fn one_unknown_id_changes_nothing_and_is_named() {
    let (_server, owner) = TestServer::with_owner().await;
    let mut ids = create_many(&owner, "t", 5).await;
    let unknown = "6f1e2d3c-4b5a-4d3b-9a5c-1b4e28ba2fa1";
    ids.push(TokenId::parse(unknown).unwrap());
    let manager = owner.create_user("m", "manager").await;
    let user_id = manager.user_id().to_owned();
    for (path, body) in [
        ("/api/tokens/bulk-delete", json!({ "ids": ids })),
        ("/api/tokens/bulk-revoke", json!({ "ids": ids })),
        (
            "/api/tokens/bulk-reassign",
            json!({ "ids": ids, "userId": user_id }),
        ),
    ] {
        let (status, error, message) = code(owner.post(path, &body).await).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::NOT_FOUND, "token_not_found"),
            "{path}"
        );
        assert!(
            message.contains(unknown) && message.contains("nothing was changed"),
            "{message}"
        );
    }
    let tokens = owner.all_tokens().await;
    assert_eq!(tokens.len(), 5);
    assert!(tokens
        .iter()
        .all(|t| t.status == shared::TokenStatus::Active && t.owner_id == Some(owner.user_id())));

    // A Manager's bulk request naming someone else's token is refused whole, the same way.
    let theirs = manager.create_token(json!({"name": "theirs"})).await;
    let (status, _, message) = code(
        manager
            .post(
                "/api/tokens/bulk-delete",
                &json!({"ids": [theirs.token.id, ids[0]]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        message.contains(&ids[0].to_string()) && !message.contains(&theirs.token.id.to_string()),
        "{message}"
    );
    assert_eq!(manager.all_tokens().await.len(), 1);
}

#[tokio::test]
async fn bulk_requests_outside_the_limits_are_refused() {
    let (_server, owner) = TestServer::with_owner().await;
    let ids = create_many(&owner, "t", 2).await;
    let many: Vec<String> = (0..1001)
        .map(|i| format!("6f1e2d3c-4b5a-4d3b-9a5c-{i:012}"))
        .collect();
    for (body, expected) in [
        (json!({ "ids": many }), "invalid_request"),
        (json!({ "ids": [] }), "invalid_request"),
        (json!({ "ids": [ids[0], ids[0]] }), "invalid_request"),
        (json!({ "ids": [ids[0], "not-a-uuid"] }), "invalid_id"),
        (json!({ "ids": ids[0] }), "invalid_request"),
        (json!({ "ids": [1, 2] }), "invalid_request"),
        (json!({ "ids": ids, "force": true }), "invalid_request"),
    ] {
        let (status, error, message) =
            code(owner.post("/api/tokens/bulk-delete", &body).await).await;
        assert_eq!(
            (status, error.as_str()),
            (StatusCode::BAD_REQUEST, expected),
            "{message}"
        );
    }
    assert_eq!(owner.all_tokens().await.len(), 2);
}

#[tokio::test]
async fn bulk_revoke_is_all_or_nothing_and_bulk_reassign_moves_all() {
    let (_server, owner) = TestServer::with_owner().await;
    let ids = create_many(&owner, "t", 4).await;
    owner.revoke(ids[0]).await;
    let message = expect_error(
        owner
            .post("/api/tokens/bulk-revoke", &json!({ "ids": ids }))
            .await,
        StatusCode::CONFLICT,
        "already_revoked",
    )
    .await;
    // Named by description, as people know them, not by id.
    let name = owner.token(ids[0]).await.name;
    assert!(
        message.contains(&format!("\u{201c}{name}\u{201d}")),
        "{message}"
    );
    assert!(!message.contains(&ids[0].to_string()), "{message}");
    let active = owner
        .all_tokens()
        .await
        .iter()
        .filter(|t| t.status == shared::TokenStatus::Active)
        .count();
    assert_eq!(active, 3, "nothing else was revoked");

    let response = owner
        .post("/api/tokens/bulk-revoke", &json!({ "ids": ids[1..] }))
        .await;
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"revoked": 3})
    );
    assert!(owner
        .all_tokens()
        .await
        .iter()
        .all(|t| t.status == shared::TokenStatus::Revoked));

    let manager = owner.create_user("m", "manager").await;
    let response = owner
        .post(
            "/api/tokens/bulk-reassign",
            &json!({ "ids": ids, "userId": manager.user_id() }),
        )
        .await;
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"reassigned": 4})
    );
    assert_eq!(
        manager.all_tokens().await.len(),
        4,
        "the Manager now sees all four"
    );
    let history: shared::api::EventList = owner
        .get_json(&format!("/api/tokens/{}/history", ids[2]))
        .await;
    assert_eq!(history.items[0].kind, shared::api::EventKind::Reassigned);
}
