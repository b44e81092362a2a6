//! Holes 5, 6 and 7 and the invalid-token limit of 11: agents kept per owner, children that
//! cannot outlive their parent, endless bodies, and guessing tokens.

use super::{now_ms, with_bearer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::api::AgentList;
use std::time::Duration;
use tests::TestServer;

// Hole 5: an agent record can be taken over by any heartbeat token.

#[tokio::test]
async fn a_foreign_token_cannot_take_over_an_agent_record() {
    let (server, owner) = TestServer::with_owner().await;
    let alice = owner.create_user("alice", "manager").await;
    let mallory = owner.create_user("mallory", "manager").await;
    let alices = alice.agent_token("alice agents").await;
    let mallorys = mallory.agent_token("mallory agents").await;
    let beat = |secret: &str, hostname: &str| {
        server.send(
            server
                .http()
                .post(server.url("/agents/heartbeat"))
                .bearer_auth(secret)
                .json(&json!({"id": "web-01", "version": "Telegraf 1.39.0", "hostname": hostname})),
        )
    };
    assert_eq!(
        beat(&alices.secret, "alice-host").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        beat(&mallorys.secret, "mallory-host").await.status(),
        StatusCode::NO_CONTENT
    );

    let hers: AgentList = alice.get_json("/api/agents").await;
    let row = hers
        .items
        .iter()
        .find(|a| a.id == "web-01")
        .expect("Alice still sees web-01");
    assert_eq!(row.hostname.as_deref(), Some("alice-host"));
    assert_eq!(row.token_id, Some(alices.token.id));
    assert_eq!(
        alice.token(alices.token.id).await.recent_agents,
        vec!["web-01".to_owned()],
        "the 24-hour warning of Alice's token still names web-01"
    );
}

// Hole 6: a token mints tokens that outlive it.

#[tokio::test]
async fn a_token_cannot_mint_a_token_that_outlives_it() {
    let (_server, owner) = TestServer::with_owner().await;
    let day = shared::time::rfc3339_from_millis(now_ms() + 86_400_000).unwrap();
    let parent = owner
        .create_token(json!({"name": "ci parent", "permissions": "tokens:*", "expiresAt": day}))
        .await;
    let parent_expiry = parent.token.expires_at.clone().unwrap();
    let ci = owner.holding(&parent.secret);
    let month = shared::time::rfc3339_from_millis(now_ms() + 30 * 86_400_000).unwrap();
    for body in [
        json!({"name": "child forever", "permissions": "tokens:read"}),
        json!({"name": "child month", "permissions": "tokens:read", "expiresAt": month}),
    ] {
        let child = ci.create_token(body).await;
        assert_eq!(
            child.token.expires_at,
            Some(parent_expiry),
            "capped at the parent's expiry"
        );
        let history: Value = owner
            .get_json(&format!("/api/tokens/{}/history", child.token.id))
            .await;
        let created = &history["items"][0];
        assert_eq!(created["kind"], "created");
        // The creating token is the event's actor (a reference, named while it exists).
        assert_eq!(
            created["actor"], "owner (token \"ci parent\")",
            "history names the parent token: {created}"
        );
        assert_eq!(created["actorKind"], "token");
        assert!(
            created["detail"]
                .as_str()
                .is_some_and(|d| d.contains("capped")),
            "{created}"
        );
    }
}

// Hole 7: request bodies are read whole before the size check.

#[tokio::test]
async fn a_chunked_body_is_cut_off_at_64_kib_without_waiting_for_its_end() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (server, owner) = TestServer::with_owner().await;
    let script = owner.token_actor("script", "tokens:*").await;
    let secret = match &script.auth {
        tests::actors::Auth::Bearer(s) => s.clone(),
        _ => unreachable!(),
    };
    let address = server.base().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/tokens HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {secret}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // 80 KiB in 8 KiB chunks, and then the body simply never ends.
    let chunk = vec![b' '; 8192];
    for _ in 0..10 {
        stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .unwrap();
        stream.write_all(&chunk).await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
    }
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let n = stream.read(&mut buffer).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buffer[..n]);
            if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer while the body was still open");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
}

#[tokio::test]
async fn repeated_invalid_tokens_from_one_address_get_429_but_valid_agents_pass() {
    let (server, owner) = TestServer::with_owner().await;
    let agent = owner.agent_token("agent").await;
    let mut first_429 = None;
    for i in 0..200u32 {
        let guess = format!("tc-apiv1_{:064x}", u128::from(i) + 7);
        let response = with_bearer(&server, &guess, "/api/agents").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry = tests::answers::retry_after(&response);
            assert!((1..=60).contains(&retry), "Retry-After {retry}");
            first_429 = Some(i);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "guess {i}");
    }
    assert!(first_429.is_some(), "200 invalid tokens and never a 429");
    // A valid agent from the same address is not held up.
    assert_eq!(
        with_bearer(&server, &agent.secret, "/api/configs")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn invalid_tokens_count_per_ipv6_64_so_rotating_addresses_gains_nothing() {
    let server = TestServer::start().await;
    let guess_from = |i: u32, address: String| {
        let guess = format!("tc-apiv1_{:064x}", u128::from(i) + 7);
        server.send(
            server
                .http()
                .get(server.url("/api/agents"))
                .bearer_auth(guess)
                .header("CF-Connecting-IP", address),
        )
    };
    // The limit's worth of guesses, each from a new address of one /64…
    let limit = shared::throttle::INVALID_TOKENS_PER_WINDOW as u32;
    for i in 0..limit {
        let response = guess_from(i, format!("2001:db8:7:7::{:x}", i + 1)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "guess {i}");
    }
    // …and yet another address of it is refused, while the next /64 is not.
    let same = guess_from(limit, "2001:db8:7:7:ffff:ffff:ffff:fffe".into()).await;
    assert_eq!(same.status(), StatusCode::TOO_MANY_REQUESTS);
    let next = guess_from(limit + 1, "2001:db8:7:8::1".into()).await;
    assert_eq!(next.status(), StatusCode::UNAUTHORIZED);
}
