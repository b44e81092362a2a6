//! Issue 22: the organisation's token lifetime policy (`/api/settings/token-policy`). Only the
//! Owner, in person, sets it; everyone reads it; new tokens beyond it are refused naming it;
//! tokens already beyond it are marked and filtered on, never changed; the bootstrap token is
//! exempt and says so. The "beyond" rule is one rule in two forms (`shared::token_policy`), and
//! D1 agrees with Rust on it here.

use reqwest::StatusCode;
use serde_json::json;
use shared::api::{Token, TokenPolicySettings};
use shared::audit::{AuditAction, AuditList};
use shared::token_policy::{beyond_case, latest_expiry_case, standing, Standing, TokenPolicy};
use shared::{TokenSource, TokenStatus};
use tests::answers::{error_body, expect_error};
use tests::{now_ms, Actor, TestServer};

const DAY_MS: i64 = 86_400_000;
const PATH: &str = "/api/settings/token-policy";
const OWNER_TOKEN: &str =
    "tc-apiv1_5e771e5e771e5e771e5e771e5e771e5e771e5e771e5e771e5e771e5e771e5e77";

fn instant(ms: i64) -> String {
    shared::time::rfc3339_from_millis(ms).unwrap()
}

#[tokio::test]
async fn only_the_owner_sets_the_policy_everyone_reads_it_and_the_change_is_audited() {
    let (server, owner) = TestServer::with_owner().await;
    let first: TokenPolicySettings = owner.get_json(PATH).await;
    assert_eq!(
        (
            first.max_lifetime.as_deref(),
            first.require_expiry,
            first.updated_at
        ),
        (None, false, None)
    );
    assert!(first.exempt.contains("OWNER_TOKEN"), "{}", first.exempt);

    let admin = owner.create_user("admin", "administrator").await;
    let viewer = owner.create_user("viewer", "viewer").await;
    let owners_token = owner
        .create_token(json!({"name": "owner's full", "preset": "full-access"}))
        .await;
    let body = json!({"maxLifetime": "P90D"});
    for (who, actor) in [
        ("an Administrator", &admin),
        ("a Viewer", &viewer),
        ("the Owner's token", &owner.holding(&owners_token.secret)),
    ] {
        let refused = actor.put(PATH, &body).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{who}");
        // Everyone who may make tokens reads the policy they must meet.
        let read: TokenPolicySettings = actor.get_json(PATH).await;
        assert_eq!(read.max_lifetime, None, "{who}");
    }
    for (bad, names) in [
        (json!({"maxLifetime": "90 days"}), "P90D"),
        (json!({"maxLifetime": "P1M"}), "days or weeks"),
        (json!({"maxLifetime": "P0D"}), "P90D"),
        (json!({"maxLifetime": "P40000D"}), "at most 36525 days"),
        (json!({"maxLifetime": "P90D", "maxAge": 3}), "maxAge"),
    ] {
        let (status, _, message) = error_body(owner.put(PATH, &bad).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {message}");
        assert!(message.contains(names), "{bad}: {message}");
    }

    let set = owner.put(PATH, &json!({"maxLifetime": "P12W"})).await;
    assert_eq!(set.status(), StatusCode::OK);
    let set: TokenPolicySettings = set.json().await.unwrap();
    assert_eq!(set.max_lifetime.as_deref(), Some("P84D"));
    assert!(set.require_expiry, "a maximum implies an expiry");
    assert_eq!(set.summary, "tokens live at most 84 days (P84D)");
    let latest = set.latest_expiry.unwrap().millis();
    assert!((latest - (now_ms() + 84 * DAY_MS)).abs() < 60_000);
    // Setting it again changes nothing and records nothing more.
    owner.set_token_policy(Some("P84D"), true).await;
    owner.set_token_policy(None, true).await;
    let log: AuditList = owner
        .get_json("/api/audit?action=token_policy_changed&outcome=success")
        .await;
    let details: Vec<&str> = log
        .items
        .iter()
        .map(|e| e.detail.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(
        details,
        vec![
            "token lifetime policy: tokens live at most 84 days (P84D) \u{2192} every token has an expiry",
            "token lifetime policy: no limit on token lifetimes \u{2192} tokens live at most 84 days (P84D)",
        ]
    );
    assert!(log
        .items
        .iter()
        .all(|e| e.action == AuditAction::TokenPolicyChanged && e.actor == "owner"));
    // The refusals by the route's access check (the Owner's token, a Viewer) are denied
    // entries of their own (issue 23); the Administrator's is the handler's, past that check.
    let denied: AuditList = owner
        .get_json("/api/audit?action=token_policy_changed&outcome=denied")
        .await;
    let mut who: Vec<&str> = denied.items.iter().map(|e| e.actor.as_str()).collect();
    who.sort_unstable();
    assert_eq!(who, vec!["owner", "viewer"], "{:?}", denied.items);
    drop(server);
}

#[tokio::test]
async fn new_tokens_meet_the_policy_and_old_ones_are_marked_never_changed() {
    let server = TestServer::with_owner_token(OWNER_TOKEN).await;
    let owner = server.owner().await;
    // The bootstrap token, presented once, is a row of the list.
    let bootstrap = Actor::anonymous(&server).holding(OWNER_TOKEN);
    assert_eq!(bootstrap.get("/api/tokens").await.status(), StatusCode::OK);
    let forever = owner.create_token(json!({"name": "forever"})).await;
    let long = owner
        .create_token(json!({"name": "a year", "expiresAt": instant(now_ms() + 365 * DAY_MS)}))
        .await;
    let short = owner
        .create_token(json!({"name": "a week", "expiresAt": instant(now_ms() + 7 * DAY_MS)}))
        .await;
    let revoked = owner.create_token(json!({"name": "revoked forever"})).await;
    owner.revoke(revoked.token.id).await;
    // No policy: nothing is marked.
    assert!(owner
        .all_tokens()
        .await
        .iter()
        .all(|t| t.lifetime_policy.is_none()));

    owner.set_token_policy(Some("P90D"), false).await;
    let marks: Vec<(String, Option<Standing>)> = owner
        .all_tokens()
        .await
        .into_iter()
        .map(|t| (t.name, t.lifetime_policy))
        .collect();
    let mark = |name: &str| marks.iter().find(|(n, _)| n == name).map(|(_, m)| *m);
    assert_eq!(mark("forever"), Some(Some(Standing::Beyond)));
    assert_eq!(mark("a year"), Some(Some(Standing::Beyond)));
    assert_eq!(mark("a week"), Some(None));
    assert_eq!(
        mark("revoked forever"),
        Some(None),
        "a revoked token works no more"
    );
    assert_eq!(mark("bootstrap-token"), Some(Some(Standing::Exempt)));
    // The filter lists exactly the tokens beyond it, and they still work.
    let beyond = owner.tokens("?policy=beyond").await;
    let mut names: Vec<&str> = beyond.items.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["a year", "forever"]);
    assert_eq!(beyond.total, 2);
    for t in [&forever, &long] {
        let now: Token = owner.get_json(&format!("/api/tokens/{}", t.token.id)).await;
        assert_eq!(now.status, TokenStatus::Active);
        assert_eq!(now.expires_at, t.token.expires_at, "never changed silently");
    }
    let refused = owner.get("/api/tokens?policy=within").await;
    expect_error(refused, StatusCode::BAD_REQUEST, "invalid_request").await;

    // New tokens: without an expiry, or past 90 days, refused naming the policy.
    for body in [
        json!({"name": "new forever"}),
        json!({"name": "new long", "expiresAt": instant(now_ms() + 91 * DAY_MS)}),
    ] {
        let refused = owner.post("/api/tokens", &body).await;
        let message = expect_error(refused, StatusCode::FORBIDDEN, "beyond_token_policy").await;
        assert!(message.contains("at most 90 days (P90D)"), "{message}");
    }
    // The bootstrap token is exempt itself, and what it makes is not.
    let made_by_bootstrap = bootstrap
        .post("/api/tokens", &json!({"name": "from the bootstrap token"}))
        .await;
    expect_error(
        made_by_bootstrap,
        StatusCode::FORBIDDEN,
        "beyond_token_policy",
    )
    .await;
    let fine = owner
        .create_token(json!({"name": "new short", "expiresAt": instant(now_ms() + 89 * DAY_MS)}))
        .await;
    assert_eq!(fine.token.lifetime_policy, None);
    let short_now: Token = owner
        .get_json(&format!("/api/tokens/{}", short.token.id))
        .await;
    assert_eq!(short_now.lifetime_policy, None);
    // Lifting the policy lifts the marks.
    owner.set_token_policy(None, false).await;
    assert_eq!(owner.tokens("?policy=beyond").await.total, 0);
}

/// The SQL form of "beyond the policy" (the list's filter) selects exactly the tokens the Rust
/// form (the marker, the refusals) calls beyond, for policies and expiries on each side of
/// every limit.
#[tokio::test]
async fn d1_finds_beyond_the_policy_exactly_the_tokens_rust_does() {
    let server = TestServer::start().await;
    let now = 1_800_000_000_000_i64;
    let policies = [
        TokenPolicy::default(),
        TokenPolicy::parse(None, true).unwrap(),
        TokenPolicy::parse(Some("P1D"), false).unwrap(),
        TokenPolicy::parse(Some("P90D"), false).unwrap(),
        TokenPolicy::parse(Some("P36525D"), true).unwrap(),
    ];
    let mut expiries = vec![None, Some(now - 1), Some(now), Some(now + 1)];
    for p in &policies {
        let latest = p.latest_expiry(now);
        if latest < shared::expiry::NEVER - 1 {
            expiries.extend([Some(latest - 1), Some(latest), Some(latest + 1)]);
        }
    }
    expiries.push(Some(shared::expiry::NEVER - 2));
    let sources = [
        TokenSource::User,
        TokenSource::Preshared,
        TokenSource::Bootstrap,
    ];
    let mut cases = Vec::new();
    for p in &policies {
        for &expires in &expiries {
            for source in sources {
                for revoked in [false, true] {
                    let rust = standing(p, source, revoked, expires, now) == Some(Standing::Beyond);
                    cases.push((p, expires, source, revoked, rust));
                }
            }
        }
    }
    let null = |v: Option<i64>| v.map_or("NULL".to_owned(), |v| v.to_string());
    let values: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, (p, expires, source, revoked, _))| {
            format!(
                "({i}, {}, {}, {}, '{}', {})",
                null(p.max_lifetime_days.map(i64::from)),
                i64::from(p.require_expiry),
                null(*expires),
                source.as_str(),
                if *revoked { "1" } else { "NULL" }
            )
        })
        .collect();
    let rule = beyond_case("t", &latest_expiry_case("t", &now.to_string()));
    let rows = server.sql(&format!(
        "WITH t(i, max_lifetime_days, require_expiry, expires_at, source, revoked_at) AS (VALUES {}) \
         SELECT i, CASE WHEN {rule} THEN 1 ELSE 0 END AS beyond FROM t ORDER BY i",
        values.join(", ")
    ));
    assert_eq!(rows.len(), cases.len());
    let mut beyond = 0;
    for (row, (p, expires, source, revoked, rust)) in rows.iter().zip(&cases) {
        assert_eq!(
            row["beyond"] == 1,
            *rust,
            "{p:?}, expires {expires:?}, {source:?}, revoked {revoked}"
        );
        beyond += usize::from(*rust);
    }
    assert!(
        beyond > 20 && cases.len() - beyond > 20,
        "both answers occur: {beyond} of {}",
        cases.len()
    );
}
