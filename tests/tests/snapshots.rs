//! The JSON shapes of the main answers, as snapshots (`tests/tests/snapshots/`): a field that is
//! renamed, added, dropped or changes kind shows up as a reviewed diff. Ids, instants, secrets
//! and hints are replaced by placeholders (`tests::snapshot::redacted`); everything else,
//! messages included, is kept as the API sends it.

use insta::assert_json_snapshot;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tests::snapshot::redacted;
use tests::{Telegraf, TestServer};

async fn answer(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "{}", response.url());
    redacted(&response.json().await.expect("a JSON answer"))
}

#[tokio::test]
async fn token_answers_keep_their_shape() {
    let (_server, owner) = TestServer::with_owner().await;
    let created = owner
        .post(
            "/api/tokens",
            &json!({"name": "fleet", "preset": "telegraf-agent", "expiresAt": "2099-01-01T00:00:00Z"}),
        )
        .await;
    let created = answer(created, StatusCode::CREATED).await;
    assert_json_snapshot!("token_created", created);

    let id = owner.all_tokens().await[0].id;
    owner
        .post(&format!("/api/tokens/{id}/revoke"), &json!({}))
        .await;
    assert_json_snapshot!(
        "token_list",
        answer(owner.get("/api/tokens").await, StatusCode::OK).await
    );
    assert_json_snapshot!(
        "token_history",
        answer(
            owner.get(&format!("/api/tokens/{id}/history")).await,
            StatusCode::OK
        )
        .await
    );
    assert_json_snapshot!(
        "error_already_revoked",
        answer(
            owner
                .post(&format!("/api/tokens/{id}/revoke"), &json!({}))
                .await,
            StatusCode::CONFLICT
        )
        .await
    );
    assert_json_snapshot!(
        "bulk_deleted",
        answer(
            owner
                .post("/api/tokens/bulk-delete", &json!({"ids": [id]}))
                .await,
            StatusCode::OK
        )
        .await
    );
}

#[tokio::test]
async fn user_config_and_agent_answers_keep_their_shape() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_user("mia", "manager").await;
    assert_json_snapshot!(
        "user_list",
        answer(owner.get("/api/users").await, StatusCode::OK).await
    );
    assert_json_snapshot!(
        "me",
        answer(owner.get("/api/auth/me").await, StatusCode::OK).await
    );

    let config = owner
        .create_config("linux hosts", "[agent]\ninterval = \"10s\"\n")
        .await;
    assert_json_snapshot!(
        "config",
        answer(
            owner.get(&format!("/api/configs/{}", config.id)).await,
            StatusCode::OK
        )
        .await
    );

    let agent = owner.agent_token("agent").await;
    let telegraf = Telegraf::new(&server, &agent.secret);
    let beat = telegraf
        .heartbeat(
            &json!({"id": "web-01", "version": "1.39.0", "hostname": "web-01.example",
                           "status": "OK", "metrics": 12, "configurations": [config.id]}),
        )
        .await;
    assert!(beat.status().is_success(), "{}", beat.status());
    assert_json_snapshot!(
        "agent_list",
        answer(owner.get("/api/agents").await, StatusCode::OK).await
    );
}
