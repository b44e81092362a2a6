//! Last-used bookkeeping (SPEC 5): it must not add latency to an agent's request nor write to
//! D1 on every request; a burst of requests with one token writes once.

use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;
use tests::{wait, TestServer};

#[tokio::test]
async fn a_burst_of_a_thousand_requests_writes_last_used_once() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner
        .create_config("burst", "[agent]\n  interval = \"10s\"\n")
        .await;
    let created = owner.agent_token("busy agent").await;
    let id = created.token.id.clone();
    let before = server.sql(&format!(
        "SELECT last_used_at FROM tokens WHERE id = '{id}'"
    ));
    assert_eq!(before[0]["last_used_at"], Value::Null);

    let mut set = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let (http, url, token) = (
            server.http().clone(),
            server.url(&format!("/api/configs/{}/toml", config.id)),
            created.secret.clone(),
        );
        set.spawn(async move {
            let request = http
                .get(url)
                .bearer_auth(token)
                .header("User-Agent", "Telegraf/1.39.0")
                .header("CF-Connecting-IP", format!("198.51.100.{}", i % 250));
            let response = tests::contract::send(&http, request).await;
            response.status()
        });
        if set.len() >= 16 {
            assert_eq!(set.join_next().await.unwrap().unwrap(), StatusCode::OK);
        }
    }
    while let Some(status) = set.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    wait::until(
        "the last-used write to land",
        Duration::from_secs(10),
        || async {
            let row = server.sql(&format!(
                "SELECT last_used_at FROM tokens WHERE id = '{id}'"
            ));
            (!row[0]["last_used_at"].is_null()).then_some(())
        },
    )
    .await;
    let first = server.sql(&format!(
        "SELECT last_used_at, last_used_agent FROM tokens WHERE id = '{id}'"
    ));
    let events = server.sql(&format!(
        "SELECT kind FROM token_events WHERE token_id = '{id}' AND kind IN ('first_use', 'usage')"
    ));
    assert_eq!(events.len(), 1, "one write for the whole burst: {events:?}");
    assert_eq!(events[0]["kind"], "first_use");
    assert_eq!(first[0]["last_used_agent"], "Telegraf/1.39.0");
    let token = owner.token(id).await;
    assert!(token.last_used_at.is_some() && token.last_used_ip.is_some());
    println!("1000 requests, {} last-used write(s)", events.len());
}

#[tokio::test]
async fn usage_events_are_kept_hourly_and_for_ninety_days() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner
        .create_config("hourly", "[agent]\n  interval = \"10s\"\n")
        .await;
    let created = owner.agent_token("steady agent").await;
    let id = created.token.id;
    let agent = tests::Telegraf::new(&server, &created.secret);
    let kinds = || {
        server
            .sql(&format!(
                "SELECT kind FROM token_events WHERE token_id = '{id}' AND kind IN ('first_use', 'usage') ORDER BY at"
            ))
            .iter()
            .map(|r| r["kind"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let last_used = || {
        server.sql(&format!(
            "SELECT last_used_at FROM tokens WHERE id = '{id}'"
        ))[0]["last_used_at"]
            .as_i64()
    };
    // Uses the token once more, a minute after its last recorded use, and waits for the write.
    let use_a_minute_later = || async {
        let before = last_used();
        if before.is_some() {
            server.sql(&format!(
                "UPDATE tokens SET last_used_at = last_used_at - 61000 WHERE id = '{id}'"
            ));
        }
        let aged = last_used();
        assert_eq!(agent.fetch(config.id).await.status(), StatusCode::OK);
        wait::until(
            "last use to be recorded",
            Duration::from_secs(10),
            || async { (last_used() != aged).then_some(()) },
        )
        .await;
    };

    use_a_minute_later().await;
    assert_eq!(kinds(), ["first_use"]);
    use_a_minute_later().await;
    assert_eq!(kinds(), ["first_use"], "no usage event within the hour");

    server.sql(&format!(
        "UPDATE token_events SET at = at - 3600001 WHERE token_id = '{id}'"
    ));
    use_a_minute_later().await;
    assert_eq!(
        kinds(),
        ["first_use", "usage"],
        "an hour later, a usage event"
    );

    let ninety_one_days = 91 * 24 * 3600 * 1000_i64;
    server.sql(&format!(
        "INSERT INTO token_events (token_id, at, kind, address) \
         VALUES ('{id}', (SELECT MIN(at) FROM token_events) - {ninety_one_days}, 'usage', 'old')"
    ));
    assert_eq!(kinds().len(), 3);
    use_a_minute_later().await;
    assert_eq!(
        kinds(),
        ["first_use", "usage"],
        "the usage event past ninety days is gone; first use and the recent one stay"
    );
}

/// A token refused on every request (here: it lacks Configs Read) was shown "Last used: just
/// now": only a request the token was allowed to make is a use.
#[tokio::test]
async fn a_request_refused_for_want_of_a_permission_is_not_a_use() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("refused", "[agent]\n").await;
    let beats_only = owner
        .create_token(serde_json::json!({ "name": "beats only", "permissions": "heartbeat:write" }))
        .await;
    let reader = owner.agent_token("reader").await;
    let url = server.url(&format!("/api/configs/{}/toml", config.id));
    for (secret, expected) in [
        (&beats_only.secret, StatusCode::FORBIDDEN),
        (&reader.secret, StatusCode::OK),
    ] {
        let request = server.http().get(&url).bearer_auth(secret);
        let response = tests::contract::send(server.http(), request).await;
        assert_eq!(response.status(), expected);
    }
    // The allowed request's write lands after its answer; the refused one, sent first, would
    // have landed by then too.
    let reader_id = reader.token.id.clone();
    wait::until(
        "the allowed request's last-used write",
        Duration::from_secs(10),
        || async {
            owner
                .token(reader_id.clone())
                .await
                .last_used_at
                .map(|_| ())
        },
    )
    .await;
    let refused = owner.token(beats_only.token.id.clone()).await;
    assert_eq!(refused.last_used_at, None, "refused on its only request");
}
