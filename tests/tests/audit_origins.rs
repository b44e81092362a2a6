//! Issue 23: each audit entry says how the attempt ended and where it came from (client
//! address, user agent), all covered by the chain; a management route's refusal (403 from its
//! access check) is a `denied` entry, one a minute per actor and route however many come, the
//! next saying how many more there were.

use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::actor::ActorKind;
use shared::audit::{AuditAction, AuditList, AuditVerification, Outcome, MAX_USER_AGENT};
use std::time::Duration;
use tests::{Actor, TestServer, PASSWORD};

async fn audit(owner: &Actor, query: &str) -> AuditList {
    owner.get_json(&format!("/api/audit{query}")).await
}

/// Waits for the denials recorded after the answers (`wait_until`) to settle: `n` counted.
async fn settled(server: &TestServer, counted: i64) {
    tests::wait::until(
        "the denials to be recorded",
        Duration::from_secs(20),
        || async {
            let rows = server.sql("SELECT COALESCE(SUM(suppressed), -1) AS n FROM audit_denials");
            (rows[0]["n"] == counted).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn a_change_records_its_outcome_address_and_user_agent() {
    let (_server, owner) = TestServer::with_owner().await;
    let long_agent = format!("admin-script/1.0\t {}", "x".repeat(400));
    let made = owner
        .send(
            owner
                .request(Method::POST, "/api/configs")
                .header("CF-Connecting-IP", "2001:DB8::7")
                .header("User-Agent", &long_agent)
                .json(&json!({"name": "edge", "toml": "[agent]\n"})),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let log = audit(&owner, "?action=config_created").await;
    let entry = &log.items[0];
    assert_eq!(entry.outcome, Outcome::Success);
    assert_eq!(entry.client_ip.as_deref(), Some("2001:db8::7"));
    let agent = entry.user_agent.as_deref().unwrap();
    assert!(agent.starts_with("admin-script/1.0 xxx"), "{agent}");
    assert_eq!(agent.chars().count(), MAX_USER_AGENT);
}

#[tokio::test]
async fn a_loop_of_refusals_is_one_denied_entry_a_minute_that_counts_the_rest() {
    let (server, owner) = TestServer::with_owner().await;
    let viewer = owner.create_user("vera", "viewer").await;
    let body = json!({"username": "intruder", "password": PASSWORD, "role": "viewer"});
    for _ in 0..60 {
        let refused = viewer.post("/api/users", &body).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
    // Reads refused are not management: nothing recorded for them.
    assert_eq!(
        viewer.get("/api/users").await.status(),
        StatusCode::FORBIDDEN
    );
    settled(&server, 59).await;
    let denied = audit(&owner, "?outcome=denied").await;
    assert_eq!(denied.items.len(), 1, "{:?}", denied.items);
    let first = &denied.items[0];
    assert_eq!(
        (first.action, first.actor.as_str(), first.actor_kind),
        (AuditAction::UserCreated, "vera", Some(ActorKind::User))
    );
    let detail = first.detail.as_deref().unwrap();
    assert!(detail.starts_with("POST /api/users: "), "{detail}");
    assert!(!detail.contains("more"), "{detail}");

    // A minute on, the next refusal is an entry saying how many the first stood for.
    server.sql("UPDATE audit_denials SET window_start = window_start - 61000");
    let refused = viewer.post("/api/users", &body).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    settled(&server, 0).await;
    tests::wait::until(
        "the second denied entry",
        Duration::from_secs(20),
        || async { (audit(&owner, "?outcome=denied").await.items.len() == 2).then_some(()) },
    )
    .await;
    let denied = audit(&owner, "?outcome=denied&kind=user").await;
    let detail = denied.items[0].detail.as_deref().unwrap();
    assert!(
        detail.ends_with("(and 59 more in the minute after the previous such entry)"),
        "{detail}"
    );
    // A token refused the same way is its own actor, of its own kind.
    let token = owner.token_actor("a reader", "configs:read").await;
    let refused = token
        .post("/api/configs", &json!({"name": "x", "toml": ""}))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    tests::wait::until(
        "the token's denied entry",
        Duration::from_secs(20),
        || async {
            let by_token = audit(&owner, "?outcome=denied&kind=token").await;
            (by_token.items.len() == 1).then_some(())
        },
    )
    .await;
    // Successes are filtered the same way; old entries without an outcome count as successes.
    let successes = audit(&owner, "?outcome=success").await;
    assert!(successes
        .items
        .iter()
        .all(|e| e.outcome == Outcome::Success));
    assert!(!successes.items.is_empty());
    let refused = owner.get("/api/audit?outcome=maybe").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    // Denied entries are links of the chain like any other.
    let verified: AuditVerification = owner.get_json("/api/audit/verify").await;
    assert!(verified.intact, "{verified:?}");
}

/// The Audit page's filters read through their indexes: a rare outcome, kind or actor among
/// 3,000 entries reads about its matches, not the log newest first until a page fills
/// (`Server-Timing`'s rows read, D1's own count); and an entry recorded before outcomes counts
/// as a success on both sides (the SQL filter and the answer).
#[tokio::test]
async fn the_audit_filters_read_their_matches_through_an_index() {
    let (server, owner) = TestServer::with_owner().await;
    server.sql(
        "INSERT INTO audit_log (at, actor, actor_kind, action, subject_type, subject_id, subject_name, count, detail, outcome) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) \
         SELECT 1767225600000 + i * 1000, CASE WHEN i = 17 THEN 'Rare.Admin' ELSE 'seeder' END, \
         CASE WHEN i = 23 THEN 'secret_scanning' ELSE 'user' END, 'config_updated', 'config', 'id-' || i, \
         'name', 1, NULL, CASE WHEN i IN (5, 6) THEN 'denied' WHEN i % 2 = 0 THEN 'success' ELSE NULL END FROM n",
    );
    let read = |query: &'static str| {
        let owner = &owner;
        async move {
            let response = owner.get(&format!("/api/audit{query}")).await;
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            let rows = tests::answers::rows_read(&response);
            let list: AuditList = response.json().await.unwrap();
            (list, rows)
        }
    };
    let (denied, rows) = read("?outcome=denied").await;
    assert_eq!(denied.items.len(), 2);
    assert!(denied.items.iter().all(|e| e.outcome == Outcome::Denied));
    assert!(
        rows <= 10,
        "{rows} rows read for 2 denied entries among 3,000"
    );
    let (scanner, rows) = read("?kind=secret_scanning").await;
    assert_eq!(scanner.items.len(), 1);
    assert!(rows <= 10, "{rows} rows read for 1 entry by kind");
    // Who acted, whatever the case it is asked in.
    let (rare, rows) = read("?actor=rare.admin").await;
    assert_eq!(rare.items.len(), 1);
    assert_eq!(rare.items[0].actor, "Rare.Admin");
    assert!(rows <= 10, "{rows} rows read for 1 entry by actor");
    // No outcome recorded: a success, as the filter and the answer both say.
    let (successes, rows) = read("?outcome=success&limit=200").await;
    assert_eq!(successes.items.len(), 200);
    assert!(successes
        .items
        .iter()
        .all(|e| e.outcome == Outcome::Success));
    assert!(
        successes.items.iter().any(|e| e.seq % 2 == 1),
        "entries without an outcome are listed as successes"
    );
    assert!(rows <= 210, "{rows} rows read for a page of 200");
}
