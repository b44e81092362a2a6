//! Issue 23: audit entries forwarded to `AUDIT_WEBHOOK_URL` through Cloudflare Queues (run by
//! Miniflare under `wrangler dev`). A receiver that refuses the first two deliveries with 503
//! and `Retry-After: 1` still gets every entry exactly once; one that always fails ends in the
//! dead-letter queue, which the forwarding state says; each delivery is signed
//! (`X-Signature-256`), and a change never waits for the receiver.

use serde_json::{json, Value};
use shared::audit::key::hmac_sha256_hex;
use shared::audit::{AuditForwarding, AuditVerification};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tests::receiver::{header, read_request};
use tests::TestServer;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

const SECRET: &str = "a webhook secret shared with the receiver";

/// One delivery as the receiver saw it: its body and its signature header.
#[derive(Clone, Debug)]
struct Delivery {
    body: Vec<u8>,
    signature: Option<String>,
}

/// A receiver on a free port answering `answer(n)` to its n-th delivery (from 0); it keeps
/// the deliveries it accepted (2xx).
async fn receiver(answer: fn(usize) -> &'static str) -> (u16, Arc<Mutex<Vec<Delivery>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let kept = Arc::new(Mutex::new(Vec::new()));
    let sink = kept.clone();
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (head, body) = read_request(&mut socket).await;
            let status = answer(n);
            n += 1;
            if status.starts_with('2') {
                let signature = header(&head, "x-signature-256");
                sink.lock().await.push(Delivery { body, signature });
            }
            let _ = socket
                .write_all(
                    format!("HTTP/1.1 {status}\r\nretry-after: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
        }
    });
    (port, kept)
}

async fn server_for(port: u16) -> TestServer {
    TestServer::builder()
        .var(
            "AUDIT_WEBHOOK_URL",
            &format!("http://127.0.0.1:{port}/hooks/audit"),
        )
        .var("AUDIT_WEBHOOK_SECRET", SECRET)
        .start()
        .await
}

#[tokio::test]
async fn every_entry_arrives_once_signed_after_two_refusals() {
    let (port, kept) = receiver(|n| {
        if n < 2 {
            "503 Service Unavailable"
        } else {
            "200 OK"
        }
    })
    .await;
    let server = server_for(port).await;
    let owner = server.owner().await;
    for n in 0..5 {
        let started = Instant::now();
        owner.create_config(&format!("site {n}"), "[agent]\n").await;
        // The change never waits on the receiver (which is refusing now).
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    let verified: AuditVerification = owner.get_json("/api/audit/verify").await;
    let head = verified.entries as i64;
    assert!(head >= 6, "{verified:?}");
    tests::wait::until("every entry delivered", Duration::from_secs(60), || async {
        let seqs = delivered_seqs(&kept).await;
        (seqs.len() as i64 >= head).then_some(())
    })
    .await;
    let deliveries = kept.lock().await.clone();
    let mut all = Vec::new();
    for d in &deliveries {
        // Signed with the shared secret; another secret does not match.
        let expected = format!("sha256={}", hmac_sha256_hex(SECRET.as_bytes(), &d.body));
        assert_eq!(d.signature.as_deref(), Some(expected.as_str()));
        let wrong = format!("sha256={}", hmac_sha256_hex(b"another secret", &d.body));
        assert_ne!(d.signature.as_deref(), Some(wrong.as_str()));
        let seqs = seqs_of(&d.body);
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "in order per batch: {seqs:?}"
        );
        all.extend(seqs);
    }
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=head).collect::<Vec<_>>(),
        "each entry exactly once"
    );
    let state: AuditForwarding = owner.get_json("/api/audit/forwarding").await;
    assert!(
        state.configured && state.last_delivered_at.is_some(),
        "{state:?}"
    );
    assert_eq!((state.delivered as i64, state.dead_lettered), (head, 0));
}

#[tokio::test]
async fn a_receiver_that_always_fails_leaves_the_entries_in_the_dead_letter_queue() {
    let (port, kept) = receiver(|_| "503 Service Unavailable").await;
    let server = server_for(port).await;
    let owner = server.owner().await;
    owner.create_config("edge", "[agent]\n").await;
    tests::wait::until("the dead-letter queue", Duration::from_secs(90), || async {
        let state: AuditForwarding = owner.get_json("/api/audit/forwarding").await;
        (state.dead_lettered >= 2).then_some(())
    })
    .await;
    let state: AuditForwarding = owner.get_json("/api/audit/forwarding").await;
    assert_eq!(state.delivered, 0);
    assert!(
        state
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("503")),
        "{state:?}"
    );
    assert!(kept.lock().await.is_empty());
    // The Audit page says so.
    let browser = tests::Browser::signed_in(&server, "owner", "/audit").await;
    let line = browser
        .find("[data-testid=audit-forwarding]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        line.contains("in the dead-letter queue, not delivered") && line.contains("503"),
        "{line}"
    );
    browser.close().await;
}

async fn delivered_seqs(kept: &Arc<Mutex<Vec<Delivery>>>) -> Vec<i64> {
    kept.lock()
        .await
        .iter()
        .flat_map(|d| seqs_of(&d.body))
        .collect()
}

fn seqs_of(body: &[u8]) -> Vec<i64> {
    let v: Value = serde_json::from_slice(body).unwrap_or(json!({}));
    v["entries"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["seq"].as_i64()).collect())
        .unwrap_or_default()
}

/// A change made while the receiver is down (nothing listens on its port) is answered without
/// waiting for it, and delivered once the receiver is back.
#[tokio::test]
async fn a_change_made_while_the_receiver_is_down_arrives_when_it_is_back() {
    // A free port, closed again: the receiver is down.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = server_for(port).await;
    let owner = server.owner().await;
    let started = Instant::now();
    owner.create_config("while down", "[agent]\n").await;
    let answered_in = started.elapsed();
    tests::wait::until("a failed try", Duration::from_secs(30), || async {
        let state: AuditForwarding = owner.get_json("/api/audit/forwarding").await;
        state.last_error.is_some().then_some(())
    })
    .await;
    // Back up on the same port.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let kept = Arc::new(Mutex::new(Vec::<Delivery>::new()));
    let sink = kept.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (_, body) = read_request(&mut socket).await;
            sink.lock().await.push(Delivery {
                body,
                signature: None,
            });
            let _ = socket
                .write_all(
                    b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
        }
    });
    tests::wait::until(
        "the delivery after the receiver is back",
        Duration::from_secs(60),
        || async {
            let seqs = delivered_seqs(&kept).await;
            (seqs.len() >= 2).then_some(())
        },
    )
    .await;
    let state: AuditForwarding = owner.get_json("/api/audit/forwarding").await;
    assert_eq!((state.waiting, state.dead_lettered), (0, 0), "{state:?}");
    assert!(state.last_error.is_none(), "{state:?}");
    assert!(
        answered_in < Duration::from_secs(2),
        "the change waited for the receiver: {answered_in:?}"
    );
}
