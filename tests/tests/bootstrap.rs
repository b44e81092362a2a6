//! The bootstrap owner token from `OWNER_TOKEN` (SPEC 3): full access, revocation lasts,
//! deletion lasts only until the token is presented again.

use reqwest::StatusCode;
use serde_json::json;
use shared::api::TokenList;
use shared::TokenId;
use tests::{Actor, TestServer};

const OWNER_TOKEN: &str =
    "tc-apiv1_b00757a9b00757a9b00757a9b00757a9b00757a9b00757a9b00757a9b00757a9";

async fn list(server: &TestServer, scheme: &str) -> reqwest::Response {
    server
        .send(
            server
                .http()
                .get(server.url("/api/tokens"))
                .header("Authorization", format!("{scheme} {OWNER_TOKEN}")),
        )
        .await
}

/// A server with `OWNER_TOKEN`, its Owner, and the bootstrap token's id once it was presented.
async fn bootstrapped() -> (TestServer, Actor, TokenId) {
    let server = TestServer::with_owner_token(OWNER_TOKEN).await;
    let owner = server.owner().await;
    assert_eq!(list(&server, "Bearer").await.status(), StatusCode::OK);
    let listed: TokenList = owner.get_json("/api/tokens").await;
    let id = bootstrap_row(&listed).expect("the bootstrap token").id;
    (server, owner, id)
}

fn bootstrap_row(list: &TokenList) -> Option<&shared::api::Token> {
    list.items
        .iter()
        .find(|t| t.source == shared::TokenSource::Bootstrap)
}

#[tokio::test]
async fn the_bootstrap_token_has_full_access_in_both_schemes() {
    let server = TestServer::with_owner_token(OWNER_TOKEN).await;
    let bootstrap = Actor::anonymous(&server).holding(OWNER_TOKEN);
    let provision = |actor: &Actor, role: &str| {
        let body = json!({"username": "provisioned", "password": tests::PASSWORD, "role": role});
        let actor = actor.clone();
        async move { actor.post("/api/users", &body).await }
    };
    for scheme in ["Bearer", "Token"] {
        let response = list(&server, scheme).await;
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
        let list: TokenList = response.json().await.unwrap();
        let row = bootstrap_row(&list).expect("the bootstrap token is listed");
        assert_eq!(row.name, "bootstrap-token");
        assert_eq!(
            row.permissions.to_string(),
            "configs:*,agents:*,heartbeat:*,tokens:*,users:*"
        );
        assert_eq!(
            (row.owner_id.as_ref(), row.expires_at.as_ref()),
            (None, None)
        );
        assert_eq!(row.hint, "tc-apiv1_…57a9");
    }
    // Before setup there is no Owner: a script cannot fill the instance with users (which
    // would lock its Owner out of setup), and the Owner role is never granted this way.
    for (role, status) in [
        ("administrator", StatusCode::CONFLICT),
        ("owner", StatusCode::FORBIDDEN),
    ] {
        let created = provision(&bootstrap, role).await;
        assert_eq!(created.status(), status, "{role}");
    }
    let owner = server.owner().await;
    let created = provision(&bootstrap, "administrator").await;
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "once the Owner exists"
    );
    drop(owner);
    // A different well-formed token is not the bootstrap token.
    let other = format!("tc-apiv1_{}", "0".repeat(64));
    let response = server
        .send(
            server
                .http()
                .get(server.url("/api/tokens"))
                .bearer_auth(other),
        )
        .await;
    assert_eq!(
        tests::answers::token_refusal(response).await,
        "Invalid token"
    );
}

#[tokio::test]
async fn revoking_the_bootstrap_token_lasts() {
    let (server, owner, id) = bootstrapped().await;
    owner.revoke(id).await;
    for _ in 0..2 {
        let response = list(&server, "Bearer").await;
        assert_eq!(
            tests::answers::token_refusal(response).await,
            "Token revoked"
        );
    }
    let listed: TokenList = owner.get_json("/api/tokens").await;
    let row = bootstrap_row(&listed).unwrap();
    assert_eq!((row.id, row.status), (id, shared::TokenStatus::Revoked));
    assert_eq!(row.revoked_by.as_deref(), Some("owner"));
}

#[tokio::test]
async fn deleting_the_bootstrap_token_lasts_only_until_it_is_presented() {
    let (server, owner, first_id) = bootstrapped().await;

    assert_eq!(
        owner
            .delete(&format!("/api/tokens/{first_id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let listed: TokenList = owner.get_json("/api/tokens").await;
    assert!(bootstrap_row(&listed).is_none(), "gone until presented");

    assert_eq!(
        list(&server, "Token").await.status(),
        StatusCode::OK,
        "presenting it recreates it"
    );
    let listed: TokenList = owner.get_json("/api/tokens").await;
    let again = bootstrap_row(&listed).expect("recreated");
    assert_ne!(again.id, first_id, "a new record, not the deleted one");
}
