//! "Expiring soon": the list's filter and the daily expiry notice to a webhook, which names
//! exactly those tokens; against the real worker and its local D1.

use serde_json::{json, Value};
use shared::api::EventKind;
use std::time::Duration;
use tests::{now_ms, wait, TestServer};

fn in_hours(h: i64) -> String {
    shared::time::rfc3339_from_millis(now_ms() + h * 3_600_000).unwrap()
}

#[tokio::test]
async fn expiring_soon_is_a_filter_and_the_daily_notice_names_exactly_those_tokens() {
    // A receiver on a free local port: every POST body it gets, in order.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::<Value>::new()));
    let sink = received.clone();
    tokio::spawn(async move {
        // The first delivery fails with 500, so the retry is what arrives.
        let mut first = true;
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (head, body) = tests::receiver::read_request(&mut socket).await;
            let signature = tests::receiver::header(&head, "x-signature-256");
            let status = if first {
                "500 Internal Server Error"
            } else {
                "204 No Content"
            };
            if !first {
                // Signed as GitHub signs webhooks, under EXPIRY_WEBHOOK_SECRET; another
                // secret's signature is not this one.
                let mac = |secret: &[u8]| {
                    format!(
                        "sha256={}",
                        shared::audit::key::hmac_sha256_hex(secret, &body)
                    )
                };
                assert_eq!(
                    signature.as_deref(),
                    Some(mac(b"expiry hook secret").as_str())
                );
                assert_ne!(signature.as_deref(), Some(mac(b"a wrong secret").as_str()));
                sink.lock()
                    .await
                    .push(serde_json::from_slice(&body).unwrap());
            }
            first = false;
            use tokio::io::AsyncWriteExt;
            let _ = socket
                .write_all(
                    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
        }
    });
    let server = TestServer::builder()
        .var(
            "EXPIRY_WEBHOOK_URL",
            &format!("http://127.0.0.1:{port}/hooks/expiry"),
        )
        .var("EXPIRY_WEBHOOK_SECRET", "expiry hook secret")
        .start()
        .await;
    let owner = server.owner().await;
    let soon = owner
        .create_token(json!({"name": "soon", "expiresAt": in_hours(50)}))
        .await;
    let sooner = owner
        .create_token(json!({"name": "sooner", "expiresAt": in_hours(3)}))
        .await;
    owner
        .create_token(json!({"name": "later", "expiresAt": in_hours(24 * 10)}))
        .await;
    owner.create_token(json!({"name": "never"})).await;
    let revoked = owner
        .create_token(json!({"name": "revoked soon", "expiresAt": in_hours(5)}))
        .await;
    owner.revoke(revoked.token.id).await;

    let listed = owner
        .tokens("?status=expiring&sort=expiresAt&order=asc")
        .await;
    let names: Vec<&str> = listed.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["sooner", "soon"]);
    assert_eq!(listed.total, 2);

    let run = server.get("/__scheduled?cron=0+6+*+*+*").await;
    assert!(run.status().is_success(), "{}", run.status());
    wait::until(
        "the webhook to receive the notice",
        Duration::from_secs(20),
        || {
            let received = received.clone();
            async move { (!received.lock().await.is_empty()).then_some(()) }
        },
    )
    .await;
    let got = received.lock().await.clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let notice = &got[0];
    assert_eq!(notice["event"], "tokens_expiring");
    let ids: Vec<&str> = notice["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [sooner.token.id.to_string(), soon.token.id.to_string()]
    );
    assert_eq!(notice["tokens"][0]["daysLeft"], 1);
    assert_eq!(notice["tokens"][1]["daysLeft"], 3);
    assert!(
        !notice.to_string().contains(&sooner.secret[9..]),
        "no secret in the notice"
    );
    // Each named token's history records the delivery; the others' do not.
    wait::until(
        "the delivery to be recorded",
        Duration::from_secs(10),
        || {
            let owner = &owner;
            async move {
                owner
                    .history(soon.token.id)
                    .await
                    .iter()
                    .any(|e| e.kind == EventKind::ExpiryNotice)
                    .then_some(())
            }
        },
    )
    .await;
    assert!(owner
        .history(revoked.token.id)
        .await
        .iter()
        .all(|e| e.kind != EventKind::ExpiryNotice));
}
