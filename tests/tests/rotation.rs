//! Rotation with an overlap window: the old secret works for its overlap and then is refused,
//! a revoke or delete during an overlap ends both secrets, and the agent lookup finds either
//! secret through indexes alone; against the real worker and its local D1.

use reqwest::StatusCode;
use serde_json::json;
use shared::api::{CreatedToken, EventKind};
use tests::answers::{expect_json, token_refusal};
use tests::telegraf::{beat, Telegraf};
use tests::{now_ms, TestServer};

#[tokio::test]
async fn rotation_keeps_the_old_secret_for_its_overlap_and_then_refuses_it() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner
        .create_config("fleet", "[agent]\ninterval = \"10s\"\n")
        .await;
    let created = owner.agent_token("edge fleet").await;
    let old = Telegraf::new(&server, &created.secret);
    assert_eq!(old.fetch(config.id).await.status(), StatusCode::OK);

    let rotated = owner.rotate(created.token.id, "PT1H").await;
    assert_ne!(rotated.secret, created.secret);
    let token = &rotated.token;
    assert_eq!(
        (
            token.id,
            &token.name,
            token.owner_id,
            token.permissions,
            token.expires_at
        ),
        (
            created.token.id,
            &created.token.name,
            created.token.owner_id,
            created.token.permissions,
            created.token.expires_at
        ),
        "the same token"
    );
    assert_ne!(
        token.hint, created.token.hint,
        "the hint is the new secret's"
    );
    let until = token.previous_valid_until.expect("an overlap end").millis();
    assert!((until - now_ms() - 3_600_000).abs() < 60_000, "{until}");
    assert!(
        token.previous_last_used_at.is_some(),
        "the old secret was just used"
    );

    // During the overlap both secrets work, for downloads and heartbeats.
    let new = Telegraf::new(&server, &rotated.secret);
    assert_eq!(old.fetch(config.id).await.status(), StatusCode::OK);
    assert_eq!(new.fetch(config.id).await.status(), StatusCode::OK);
    assert_eq!(
        old.heartbeat(&beat("old-agent")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        new.heartbeat(&beat("new-agent")).await.status(),
        StatusCode::NO_CONTENT
    );

    // The secret is never shown again, and history records the rotation.
    let shown = owner
        .get(&format!("/api/tokens/{}", token.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(!shown.contains(&rotated.secret[9..]));
    let history = owner.history(token.id).await;
    assert_eq!(history[0].kind, EventKind::Rotated);
    assert!(
        history[0].detail.as_deref().unwrap().contains("1 hour"),
        "{:?}",
        history[0]
    );

    // A second rotation without overlap: the secret it replaces stops on its next request,
    // refused like a revoked one, and the first secret is forgotten altogether.
    let third = expect_json::<CreatedToken>(
        owner
            .post(&format!("/api/tokens/{}/rotate", token.id), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        token_refusal(new.fetch(config.id).await).await,
        "Token revoked"
    );
    // A beat that would be written at once (its version changed), with the ended secret.
    let upgraded = json!({"id": "new-agent", "version": "Telegraf 1.40.0"});
    assert_eq!(
        token_refusal(new.heartbeat(&upgraded).await).await,
        "Token revoked"
    );
    assert_eq!(
        token_refusal(old.fetch(config.id).await).await,
        "Invalid token"
    );
    let newest = Telegraf::new(&server, &third.secret);
    assert_eq!(newest.fetch(config.id).await.status(), StatusCode::OK);
    // The refused heartbeat wrote nothing: the agent's row still holds its last accepted beat.
    let rows = server.sql("SELECT version FROM agents WHERE id = 'new-agent'");
    assert_eq!(rows[0]["version"], "Telegraf 1.39.0");
    // The same beat with the working secret is written (so the check above could fail).
    assert_eq!(
        newest.heartbeat(&upgraded).await.status(),
        StatusCode::NO_CONTENT
    );
    let rows = server.sql("SELECT version FROM agents WHERE id = 'new-agent'");
    assert_eq!(rows[0]["version"], "Telegraf 1.40.0");
}

#[tokio::test]
async fn a_revoke_or_delete_during_an_overlap_ends_both_secrets() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("fleet", "[agent]\n").await;
    for end in ["revoke", "delete"] {
        let created = owner.agent_token(&format!("overlap {end}")).await;
        let rotated = owner.rotate(created.token.id, "P7D").await;
        let (old, new) = (
            Telegraf::new(&server, &created.secret),
            Telegraf::new(&server, &rotated.secret),
        );
        assert_eq!(old.fetch(config.id).await.status(), StatusCode::OK);
        let expected = if end == "revoke" {
            owner.revoke(created.token.id).await;
            "Token revoked"
        } else {
            assert_eq!(
                owner
                    .delete(&format!("/api/tokens/{}", created.token.id))
                    .await
                    .status(),
                StatusCode::NO_CONTENT
            );
            "Invalid token"
        };
        assert_eq!(
            token_refusal(old.fetch(config.id).await).await,
            expected,
            "{end}: old"
        );
        assert_eq!(
            token_refusal(new.fetch(config.id).await).await,
            expected,
            "{end}: new"
        );
    }
}

#[tokio::test]
async fn the_agent_lookup_finds_either_secret_through_indexes_alone() {
    let (server, owner) = TestServer::with_owner().await;
    owner.agent_token("planned").await;
    // The lookup's WHERE clause as `db::tokens::SELECT_BY_HASH` has it, planned by this D1.
    let plan = server.sql(
        "EXPLAIN QUERY PLAN SELECT t.id FROM tokens t LEFT JOIN users u ON u.id = t.owner_id \
         WHERE t.token_hash = 'x' OR t.previous_hash = 'x'",
    );
    let steps: Vec<&str> = plan.iter().filter_map(|r| r["detail"].as_str()).collect();
    assert!(steps.iter().any(|s| s.contains("tokens_hash")), "{steps:?}");
    assert!(
        steps.iter().any(|s| s.contains("tokens_previous_hash")),
        "{steps:?}"
    );
    assert!(
        !steps.iter().any(|s| s.starts_with("SCAN")),
        "a scan on the agent path: {steps:?}"
    );
}
