//! Telegraf at the edge (SPEC 5): clients that behave exactly like Telegraf 1.38 and 1.39
//! fetch and poll their configuration and post heartbeats; a deleted or revoked token fails
//! on the very next request; last-used bookkeeping writes at most once a minute.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::api::{AgentList, Config};
use std::time::Duration;
use tests::answers::error_message as message;
use tests::{repo_root, wait, Telegraf, TestServer};

const CONFIG: &str = "[agent]\n  interval = \"10s\"\n\n[[inputs.cpu]]\n  percpu = true\n";

#[tokio::test]
async fn telegraf_138_and_139_fetch_the_toml_and_poll_last_modified_until_it_is_edited() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("linux hosts", CONFIG).await;
    for version in ["1.38.0", "1.39.0"] {
        let token = owner
            .create_token(json!({"name": format!("agents {version}"), "preset": "telegraf-agent"}))
            .await
            .secret;
        let telegraf = Telegraf {
            server: &server,
            token,
            version,
        };
        let fetched = telegraf.fetch(config.id).await;
        assert_eq!(fetched.status(), StatusCode::OK, "{version}");
        let content_type = fetched.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("application/toml") || content_type.starts_with("text/plain"),
            "{content_type}"
        );
        let last_modified = fetched.headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            shared::time::millis_from_http_date(&last_modified).is_some(),
            "{last_modified}"
        );
        let body = fetched.text().await.unwrap();
        assert_eq!(
            body,
            owner
                .get(&format!("/api/configs/{}", config.id))
                .await
                .json::<Config>()
                .await
                .unwrap()
                .toml
        );

        // --config-url-watch-interval: HEAD, compare Last-Modified.
        for _ in 0..3 {
            let polled = telegraf.poll(config.id).await;
            assert_eq!(polled.status(), StatusCode::OK);
            assert_eq!(
                polled.headers()["last-modified"].to_str().unwrap(),
                last_modified,
                "unchanged until edited"
            );
            assert!(polled.bytes().await.unwrap().is_empty(), "HEAD has no body");
        }
        let not_modified = server
            .send(
                telegraf
                    .request(Method::GET, &format!("/api/configs/{}/toml", config.id))
                    .header("If-Modified-Since", &last_modified),
            )
            .await;
        assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);

        let edited = format!("{CONFIG}\n[[inputs.mem]]\n# edited for {version}\n");
        let put = owner
            .send(
                owner
                    .request(Method::PUT, &format!("/api/configs/{}", config.id))
                    .json(&json!({"name": "linux hosts", "toml": edited})),
            )
            .await;
        assert_eq!(put.status(), StatusCode::OK);
        let polled = telegraf.poll(config.id).await;
        let changed = polled.headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_ne!(
            changed, last_modified,
            "an edit changes Last-Modified at once, even within the same second"
        );
        assert_eq!(
            telegraf.fetch(config.id).await.text().await.unwrap(),
            edited
        );
    }
}

#[tokio::test]
async fn a_bad_toml_is_refused_with_line_and_column() {
    let (_server, owner) = TestServer::with_owner().await;
    let response = owner
        .post(
            "/api/configs",
            &json!({"name": "broken", "toml": "[agent]\ninterval = \"10s\"\n[[inputs.cpu]\n"}),
        )
        .await;
    let (status, text) = message(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("line 3, column"), "{text}");
    owner.create_config("ok", CONFIG).await;
    let dup = owner
        .post("/api/configs", &json!({"name": "OK", "toml": ""}))
        .await;
    assert_eq!(dup.status(), StatusCode::CONFLICT);
    let list: Value = owner.get_json("/api/configs").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn heartbeats_are_checked_against_telegrafs_schema_and_recorded() {
    // A copy of the team's fixture (shared/fixtures/), kept in the repo so CI has it.
    let schema_text = std::fs::read_to_string(
        repo_root().join("tests/fixtures/telegraf-heartbeat-schema-v1.json"),
    )
    .expect("the heartbeat schema fixture");
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON schema");

    let (server, owner) = TestServer::with_owner().await;
    let token = owner.agent_token("fleet").await;
    let telegraf = Telegraf::new(&server, &token.secret);

    let valid = [
        json!({"id": "web-1", "version": "Telegraf 1.39.0"}),
        json!({"id": "web-2", "version": "Telegraf 1.39.0", "schema": 1, "hostname": "web-2.example", "metrics": 4200,
               "configurations": [server.url("/api/configs/x/toml")], "status": "OK",
               "logs": {"errors": 0, "warnings": 1, "entries": [{"time": "2026-11-28T10:00:00Z", "level": "WARN", "source": "inputs.cpu", "message": "slow", "attributes": {"took": "2s"}}]}}),
    ];
    for body in &valid {
        assert!(
            validator.is_valid(body),
            "the fixture schema accepts {body}"
        );
        let request = telegraf.request(Method::POST, "/agents/heartbeat");
        let response = server
            .send(request.header("CF-Connecting-IP", "203.0.113.7").json(body))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{body}");
    }
    let invalid = [
        json!({"version": "Telegraf 1.39.0"}),
        json!({"id": "x"}),
        json!({"id": 7, "version": "v"}),
        json!({"id": "x", "version": "v", "metrics": "many"}),
        json!({"id": "x", "version": "v", "status": "GREAT"}),
        json!({"id": "x", "version": "v", "unexpected": 1}),
        json!({"id": "x", "version": "v", "logs": {"entries": [{"level": "INFO", "source": "s", "message": "m"}]}}),
        json!({"id": "x", "version": "v", "configurations": [1, 2]}),
    ];
    for body in &invalid {
        assert!(
            !validator.is_valid(body),
            "the fixture schema refuses {body}"
        );
        let (status, _) = message(telegraf.heartbeat(body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }

    let agents: AgentList = owner.get_json("/api/agents").await;
    assert_eq!(agents.items.len(), 2);
    let web2 = agents.items.iter().find(|a| a.id == "web-2").unwrap();
    assert_eq!(
        (
            web2.hostname.as_deref(),
            web2.status.as_deref(),
            web2.metrics
        ),
        (Some("web-2.example"), Some("OK"), Some(4200))
    );
    assert_eq!(web2.ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(
        (web2.token_id, web2.token_name.as_deref()),
        (Some(token.token.id), Some("fleet"))
    );
    assert_eq!(web2.configurations.len(), 1);
    // The token's detail and the list name the agents that used it in the last 24 hours.
    let detail = owner.token(token.token.id).await;
    assert_eq!(detail.recent_agents, vec!["web-1", "web-2"]);
    let listed: shared::api::TokenList = owner.get_json("/api/tokens").await;
    let row = listed
        .items
        .iter()
        .find(|t| t.id == token.token.id)
        .unwrap();
    assert_eq!(row.recent_agents, vec!["web-1", "web-2"]);

    // A token without heartbeat:write is refused with 403.
    let reader = owner
        .create_token(json!({"name": "reader", "permissions": "configs:read"}))
        .await;
    let reader = Telegraf {
        token: reader.secret,
        ..telegraf
    };
    let refused = reader.heartbeat(&valid[0]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn agent_refusals_use_the_exact_messages() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("c", CONFIG).await;
    let path = format!("/api/configs/{}/toml", config.id);
    let send = |auth: Option<String>| {
        let mut request = server.http().get(server.url(&path));
        if let Some(a) = auth {
            request = request.header("Authorization", a);
        }
        server.send(request)
    };
    let expired = owner.create_token(json!({"name": "soon", "preset": "telegraf-agent",
        "expiresAt": shared::time::rfc3339_from_millis(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64 + 1500).unwrap()})).await;
    for (auth, expected) in [
        (None, "Missing or invalid Authorization header"),
        (
            Some("Basic dXNlcjpwYXNz".to_owned()),
            "Missing or invalid Authorization header",
        ),
        (
            Some("Bearer".to_owned()),
            "Missing or invalid Authorization header",
        ),
        (
            Some("Bearer tc-apiv1_nothex".to_owned()),
            "Invalid token format",
        ),
        (
            Some("Token tc-apiv2_0000".to_owned()),
            "Invalid token format",
        ),
        (
            Some(format!("Bearer tc-apiv1_{}", "0".repeat(64))),
            "Invalid token",
        ),
    ] {
        assert_eq!(
            message(send(auth.clone()).await).await,
            (StatusCode::UNAUTHORIZED, expected.to_owned()),
            "{auth:?}"
        );
    }
    wait::until("the token to expire", Duration::from_secs(15), || async {
        let response = send(Some(format!("Bearer {}", expired.secret))).await;
        if response.status() == StatusCode::OK {
            return None; // not expired yet
        }
        let (status, text) = message(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        (text == "Token expired").then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_deleted_or_revoked_token_fails_on_the_very_next_request_fifty_rounds_each() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("fleet", CONFIG).await;
    let mut misses = Vec::new();
    for round in 0..50 {
        for how in ["delete", "bulk-delete", "revoke"] {
            let created = owner
                .create_token(json!({"name": format!("{how} {round}"), "preset": "telegraf-agent"}))
                .await;
            let telegraf = Telegraf {
                server: &server,
                token: created.secret,
                version: if round % 2 == 0 { "1.38.0" } else { "1.39.0" },
            };
            assert_eq!(telegraf.fetch(config.id).await.status(), StatusCode::OK);
            let id = created.token.id;
            let status = match how {
                "delete" => owner.delete(&format!("/api/tokens/{id}")).await.status(),
                "bulk-delete" => owner
                    .post("/api/tokens/bulk-delete", &json!({"ids": [id]}))
                    .await
                    .status(),
                _ => owner
                    .post(&format!("/api/tokens/{id}/revoke"), &json!({}))
                    .await
                    .status(),
            };
            assert!(status.is_success(), "{how} {status}");
            let expected = if how == "revoke" {
                "Token revoked"
            } else {
                "Invalid token"
            };
            let next = if round % 3 == 0 {
                telegraf
                    .heartbeat(&json!({"id": format!("a{round}"), "version": "Telegraf 1.39.0"}))
                    .await
            } else {
                telegraf.fetch(config.id).await
            };
            let got = message(next).await;
            if got != (StatusCode::UNAUTHORIZED, expected.to_owned()) {
                misses.push(format!("round {round} {how}: {got:?}"));
            }
        }
    }
    tests::answers::assert_none(&misses, "misses");
}
