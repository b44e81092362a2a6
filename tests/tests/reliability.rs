//! What must hold however requests interleave. Data survives a restart; racing
//! deletes of one token give exactly one success; racing bulk deletes over overlapping sets
//! each apply wholly or not at all. (The 60-second load run is `tests/load.rs`, run alone.)

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::api::Token;
use std::collections::BTreeSet;
use tests::{Telegraf, TestServer};

const CONFIG: &str = "[agent]\n  interval = \"10s\"\n";

#[tokio::test]
async fn data_survives_a_restart_between_a_create_and_a_read() {
    let (mut server, owner) = TestServer::with_owner().await;
    let token = owner.agent_token("survivor").await;
    let config = owner.create_config("kept", CONFIG).await;

    server.restart(&[]).await;
    let owner = owner.rebased(&server);
    let read: Token = owner.token(token.token.id).await;
    assert_eq!((read.name.as_str(), read.id), ("survivor", token.token.id));
    let fetched = Telegraf::new(&server, &token.secret).fetch(config.id).await;
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.text().await.unwrap(), CONFIG);
}

#[tokio::test]
async fn twenty_parallel_deletes_of_one_token_give_one_204_and_nineteen_404() {
    let (_server, owner) = TestServer::with_owner().await;
    let token = owner.agent_token("contested").await;
    let path = format!("/api/tokens/{}", token.token.id);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (owner, path) = (owner.clone(), path.clone());
        set.spawn(async move { owner.delete(&path).await.status() });
    }
    let mut statuses = Vec::new();
    while let Some(status) = set.join_next().await {
        statuses.push(status.expect("a delete task").as_u16());
    }
    statuses.sort();
    let mut expected = vec![404; 19];
    expected.insert(0, 204);
    assert_eq!(statuses, expected);
}

#[tokio::test]
async fn parallel_bulk_deletes_over_overlapping_sets_each_apply_wholly_or_not_at_all() {
    let (_server, owner) = TestServer::with_owner().await;
    let mut ids = Vec::new();
    for i in 0..40 {
        ids.push(
            owner
                .create_token(json!({"name": format!("t{i:02}")}))
                .await
                .token
                .id,
        );
    }
    // Six overlapping windows of twelve over forty tokens, sent at once.
    let sets: Vec<Vec<_>> = (0..6).map(|k| ids[k * 5..k * 5 + 12].to_vec()).collect();
    let mut set = tokio::task::JoinSet::new();
    for (k, chosen) in sets.iter().cloned().enumerate() {
        let owner = owner.clone();
        set.spawn(async move {
            let response = owner
                .post("/api/tokens/bulk-delete", &json!({"ids": chosen}))
                .await;
            let status = response.status();
            (k, status, response.json::<Value>().await.unwrap())
        });
    }
    let mut applied = Vec::new();
    while let Some(result) = set.join_next().await {
        let (k, status, body) = result.expect("a bulk task");
        match status {
            StatusCode::OK => {
                assert_eq!(body, json!({"deleted": 12}), "set {k} applied partly");
                applied.push(k);
            }
            StatusCode::NOT_FOUND => assert_eq!(body["error"], "token_not_found", "set {k}"),
            other => panic!("set {k}: {other} {body}"),
        }
    }
    assert!(!applied.is_empty(), "at least the first to run applies");
    let gone: BTreeSet<_> = applied
        .iter()
        .flat_map(|k| sets[*k].iter().copied())
        .collect();
    let left: BTreeSet<_> = owner.all_tokens().await.into_iter().map(|t| t.id).collect();
    let expected: BTreeSet<_> = ids
        .iter()
        .copied()
        .filter(|id| !gone.contains(id))
        .collect();
    assert_eq!(
        left, expected,
        "exactly the tokens of the sets that applied are gone; a refused set deleted nothing"
    );
}
