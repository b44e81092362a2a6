//! Hole 2 and part of 11: OWNER_TOKEN rotation, and what the bootstrap token creates.

use super::{message, with_bearer, OWNER_TOKEN_A, OWNER_TOKEN_B};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::api::TokenList;
use tests::TestServer;

// Hole 2: a rotated OWNER_TOKEN keeps working and the new value is refused.

fn bootstrap_rows(list: &TokenList) -> Vec<(String, shared::TokenStatus)> {
    let mut rows: Vec<_> = list
        .items
        .iter()
        .filter(|t| t.source == shared::TokenSource::Bootstrap)
        .map(|t| (t.name.clone(), t.status))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

#[tokio::test]
async fn a_rotated_owner_token_is_revoked_and_the_new_value_works_at_once() {
    let mut server = TestServer::with_owner_token(OWNER_TOKEN_A).await;
    assert_eq!(
        with_bearer(&server, OWNER_TOKEN_A, "/api/tokens")
            .await
            .status(),
        StatusCode::OK
    );

    server.restart(&[("OWNER_TOKEN", OWNER_TOKEN_B)]).await;
    // The new value works on its very first request, though the old one was never presented.
    let listed = with_bearer(&server, OWNER_TOKEN_B, "/api/tokens").await;
    assert_eq!(listed.status(), StatusCode::OK);
    let list: TokenList = listed.json().await.unwrap();
    use shared::TokenStatus::{Active, Revoked};
    assert_eq!(
        bootstrap_rows(&list),
        vec![
            ("bootstrap-token".to_owned(), Revoked),
            ("bootstrap-token-1".to_owned(), Active)
        ],
        "the old one stays listed as Revoked; the new one takes a suffixed name"
    );
    assert_eq!(
        message(with_bearer(&server, OWNER_TOKEN_A, "/api/tokens").await).await,
        (StatusCode::UNAUTHORIZED, "Token revoked".to_owned())
    );

    // Removing the variable changes nothing: the current one keeps working, the old one stays
    // revoked.
    server.restart(&[]).await;
    assert_eq!(
        with_bearer(&server, OWNER_TOKEN_B, "/api/tokens")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        message(with_bearer(&server, OWNER_TOKEN_A, "/api/tokens").await).await,
        (StatusCode::UNAUTHORIZED, "Token revoked".to_owned())
    );
}

#[tokio::test]
async fn the_old_owner_token_presented_first_after_rotation_is_refused_and_recorded() {
    let mut server = TestServer::with_owner_token(OWNER_TOKEN_A).await;
    let owner = server.owner().await;
    assert_eq!(
        with_bearer(&server, OWNER_TOKEN_A, "/api/auth/me")
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "the bootstrap token works (it has no user of its own)"
    );
    server.restart(&[("OWNER_TOKEN", OWNER_TOKEN_B)]).await;
    assert_eq!(
        message(with_bearer(&server, OWNER_TOKEN_A, "/api/tokens").await).await,
        (StatusCode::UNAUTHORIZED, "Token revoked".to_owned())
    );
    let list: TokenList = owner
        .rebased(&server)
        .get("/api/tokens")
        .await
        .json()
        .await
        .unwrap();
    let old = list
        .items
        .iter()
        .find(|t| t.source == shared::TokenSource::Bootstrap)
        .expect("the old bootstrap token is still listed");
    assert_eq!(old.status, shared::TokenStatus::Revoked);
    assert!(old.revoked_by.is_some());
}

// Hole 11: smaller ones.

#[tokio::test]
async fn tokens_created_with_the_bootstrap_token_belong_to_the_owner_and_work() {
    let server = TestServer::with_owner_token(OWNER_TOKEN_A).await;
    let create = |name: &str| {
        server.send(
            server
                .http()
                .post(server.url("/api/tokens"))
                .bearer_auth(OWNER_TOKEN_A)
                .json(&json!({"name": name, "preset": "telegraf-agent"})),
        )
    };
    // Before anyone owns the instance there is nobody to give the token to: a clear refusal.
    let orphan = create("orphan").await;
    assert_eq!(orphan.status(), StatusCode::CONFLICT);
    let text: Value = orphan.json().await.unwrap();
    assert!(
        text["message"].as_str().unwrap().contains("Owner"),
        "{text}"
    );

    let owner = server.owner().await;
    let made = create("provisioned").await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let created: shared::api::CreatedToken = made.json().await.unwrap();
    assert_eq!(created.token.owner_id, Some(owner.user_id()));
    assert_eq!(
        with_bearer(&server, &created.secret, "/api/tokens/capabilities")
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "authenticates (403: the agent preset has no tokens permission), not 401"
    );
}
