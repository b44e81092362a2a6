//! Issue 11: a heartbeat is recorded in the token lookup's own round trip, so the statement
//! that writes it decides in SQL whether the token works. Each test here is a token that
//! authentication refuses, presenting a heartbeat: it must be refused and leave no row.

use super::{now_ms, OWNER_TOKEN_A, OWNER_TOKEN_B};
use reqwest::StatusCode;
use serde_json::json;
use tests::{answers::token_refusal, Actor, Telegraf, TestServer};

/// The agent rows with this id, as D1 holds them: (status, last_seen).
fn rows(server: &TestServer, agent: &str) -> Vec<(Option<String>, i64)> {
    server
        .sql(&format!(
            "SELECT status, last_seen FROM agents WHERE id = '{agent}'"
        ))
        .iter()
        .map(|r| {
            (
                r["status"].as_str().map(str::to_owned),
                r["last_seen"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn beat(server: &TestServer, secret: &str, agent: &str) -> reqwest::Response {
    Telegraf::new(server, secret)
        .heartbeat(&json!({"id": agent, "version": "Telegraf 1.39.0", "status": "OK"}))
        .await
}

/// Presents a heartbeat for `agent` with `secret`, expects `status`, and checks that the
/// agents table holds a row for it exactly when the heartbeat was accepted.
async fn refused_and_not_written(
    server: &TestServer,
    secret: &str,
    agent: &str,
    status: StatusCode,
) {
    let answer = beat(server, secret, agent).await;
    assert_eq!(answer.status(), status, "{agent}");
    assert!(
        rows(server, agent).is_empty(),
        "{agent}: a refused heartbeat wrote a row"
    );
}

async fn manager_with_agent_token(owner: &Actor, name: &str) -> (Actor, String) {
    let manager = owner.create_user(name, "manager").await;
    let token = manager.agent_token(&format!("{name}'s fleet")).await;
    (manager, token.secret)
}

#[tokio::test]
async fn a_heartbeat_is_written_exactly_when_its_token_is_accepted() {
    let (server, owner) = TestServer::with_owner().await;

    // The control: a working agent token writes its row.
    let working = owner.agent_token("working").await;
    assert_eq!(
        beat(&server, &working.secret, "control").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(rows(&server, "control").len(), 1);

    // A token without heartbeat:write.
    let reader = owner
        .create_token(json!({"name": "reader", "permissions": "configs:read,agents:*"}))
        .await;
    refused_and_not_written(&server, &reader.secret, "no-grant", StatusCode::FORBIDDEN).await;

    // Revoked, then expired (moved into the past behind the worker's back).
    let revoked = owner.agent_token("revoked").await;
    owner.revoke(revoked.token.id).await;
    refused_and_not_written(
        &server,
        &revoked.secret,
        "revoked",
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let expired = owner.agent_token("expired").await;
    server.sql(&format!(
        "UPDATE tokens SET expires_at = {} WHERE id = '{}'",
        now_ms() - 1,
        expired.token.id
    ));
    refused_and_not_written(
        &server,
        &expired.secret,
        "expired",
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // Its owner disabled.
    let (mia, secret) = manager_with_agent_token(&owner, "mia").await;
    let disabled = owner
        .patch(
            &format!("/api/users/{}", mia.user_id()),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    refused_and_not_written(&server, &secret, "owner-disabled", StatusCode::UNAUTHORIZED).await;

    // Its owner made a Viewer behind the app's back (the app revokes a demoted Viewer's
    // tokens; the role rule must hold without that): a Viewer may not write heartbeats.
    let (noor, secret) = manager_with_agent_token(&owner, "noor").await;
    server.sql(&format!(
        "UPDATE users SET role = 'viewer' WHERE id = '{}'",
        noor.user_id()
    ));
    refused_and_not_written(&server, &secret, "owner-viewer", StatusCode::FORBIDDEN).await;

    // Its ceiling lowered to Viewer: the lower of owner and ceiling decides.
    let (_ines, secret) = manager_with_agent_token(&owner, "ines").await;
    server.sql(&format!(
        "UPDATE tokens SET ceiling_role = 'viewer' WHERE token_hash = (SELECT token_hash FROM tokens t \
         JOIN users u ON u.id = t.owner_id WHERE u.username = 'ines')"
    ));
    refused_and_not_written(&server, &secret, "ceiling-viewer", StatusCode::FORBIDDEN).await;

    // An ownerless token that is not the bootstrap token acts as nobody.
    let orphan = owner.agent_token("orphan").await;
    server.sql(&format!(
        "UPDATE tokens SET owner_id = NULL WHERE id = '{}'",
        orphan.token.id
    ));
    refused_and_not_written(&server, &orphan.secret, "orphan", StatusCode::UNAUTHORIZED).await;

    // Unknown and malformed tokens.
    let unknown = format!("tc-apiv1_{}", "ab".repeat(32));
    refused_and_not_written(&server, &unknown, "unknown", StatusCode::UNAUTHORIZED).await;
    refused_and_not_written(
        &server,
        "tc-apiv1_nothex",
        "malformed",
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // A malformed body is answered after the token, as before: 401 for a refused token, 403
    // for one that may not write heartbeats, 400 only for one that may.
    let bad = json!({"id": "x"});
    let agent = |secret: &str| Telegraf::new(&server, secret);
    assert_eq!(
        token_refusal(agent(&revoked.secret).heartbeat(&bad).await).await,
        "Token revoked"
    );
    assert_eq!(
        agent(&reader.secret).heartbeat(&bad).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        agent(&working.secret).heartbeat(&bad).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_replaced_bootstrap_token_writes_nothing_and_a_new_one_writes_on_its_first_request() {
    let mut server = TestServer::with_owner_token(OWNER_TOKEN_A).await;
    // The very first request with OWNER_TOKEN's value is a heartbeat: the token is installed
    // in that request, and the heartbeat is recorded too.
    assert_eq!(
        beat(&server, OWNER_TOKEN_A, "first").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(rows(&server, "first").len(), 1);

    server.restart(&[("OWNER_TOKEN", OWNER_TOKEN_B)]).await;
    refused_and_not_written(&server, OWNER_TOKEN_A, "replaced", StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        beat(&server, OWNER_TOKEN_B, "rotated").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(rows(&server, "rotated").len(), 1);
}

#[tokio::test]
async fn an_unchanged_beat_is_written_once_a_minute_and_a_change_at_once() {
    let (server, owner) = TestServer::with_owner().await;
    let token = owner.agent_token("fleet").await;
    let agent = Telegraf::new(&server, &token.secret);
    let send = |status: &'static str| {
        let agent = &agent;
        async move {
            let body = json!({"id": "edge", "version": "Telegraf 1.39.0", "status": status});
            agent.heartbeat(&body).await
        }
    };
    assert_eq!(send("OK").await.status(), StatusCode::NO_CONTENT);
    let first = rows(&server, "edge");

    // Within the minute, the same beat is accepted and not written.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(send("OK").await.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        rows(&server, "edge"),
        first,
        "an unchanged beat was written within the minute"
    );

    // A change is written at once.
    assert_eq!(send("WARN").await.status(), StatusCode::NO_CONTENT);
    let changed = rows(&server, "edge");
    assert_eq!(changed[0].0.as_deref(), Some("WARN"));
    assert!(changed[0].1 > first[0].1);

    // A minute later, the unchanged beat is written again.
    server.sql("UPDATE agents SET last_seen = last_seen - 60000 WHERE id = 'edge'");
    let aged = rows(&server, "edge")[0].1;
    assert_eq!(send("WARN").await.status(), StatusCode::NO_CONTENT);
    assert!(
        rows(&server, "edge")[0].1 > aged,
        "a due beat was not written"
    );
}
