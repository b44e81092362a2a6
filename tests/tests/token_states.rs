//! Whether a token works is written once (`shared::token_state`) and rendered to both Rust
//! and SQL: here D1 evaluates every rule's SQL, in each way the worker places it, over every
//! combination of the facts the rules read, and selects exactly the tokens the Rust form says
//! it holds for. Then what follows from the rule at the edge: revoking changes nothing for an
//! expired token, alone or in bulk, and the server says so.

use reqwest::StatusCode;
use serde_json::json;
use shared::token_state::{Facts, Owner, Rule, Tables};
use shared::{TokenStatus, UserId};
use std::collections::BTreeMap;
use tests::answers::expect_error;
use tests::TestServer;

/// An instant well after the tokens' creation and the test's own clock.
const NOW: i64 = 4_000_000_000_000;

fn rules() -> Vec<(String, Rule)> {
    let mut rules: Vec<(String, Rule)> = TokenStatus::ALL
        .iter()
        .map(|&s| (format!("status {}", s.as_str()), Rule::status(s, NOW)))
        .collect();
    rules.push(("works".into(), Rule::works(NOW)));
    rules.push(("expiring soon".into(), Rule::expiring_soon(NOW)));
    rules.push(("revocable".into(), Rule::revocable(NOW)));
    rules
}

/// The SQL literal binder: a test has no placeholders to bind.
fn literal(ms: i64) -> String {
    ms.to_string()
}

#[tokio::test]
async fn every_rule_selects_in_d1_exactly_the_tokens_rust_says_it_holds_for() {
    let (server, owner) = TestServer::with_owner().await;
    let held_back = owner.create_user("held-back", "manager").await.user_id();
    let answer = owner
        .patch(
            &format!("/api/users/{held_back}"),
            &json!({ "disabled": true }),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::OK);

    let rules = rules();
    let instants: Vec<i64> = rules.iter().flat_map(|(_, r)| r.instants()).collect();
    // Each combination of facts, its owner's part as each owner that gives it: no owner (the
    // bootstrap token) or an enabled one for "not disabled", the disabled user for "disabled".
    let mut tokens: Vec<(Facts, Option<UserId>)> = Vec::new();
    for facts in Facts::every(&instants) {
        if facts.owner_disabled {
            tokens.push((facts, Some(held_back)));
        } else {
            tokens.push((facts, None));
            tokens.push((facts, Some(owner.user_id())));
        }
    }
    let values: Vec<String> = tokens
        .iter()
        .enumerate()
        .map(|(i, (f, who))| {
            let sql = |v: Option<i64>| v.map_or("NULL".to_owned(), |v| v.to_string());
            let (source, owner) = match who {
                Some(id) => ("user", format!("'{id}'")),
                None => ("bootstrap", "NULL".to_owned()),
            };
            format!(
                "(printf('%08x-0000-4000-8000-%012x', {i}), 'state {i}', printf('%064x', {i} + 9000000), \
                 '0000', 'configs:read', '{source}', 1700000000000, {owner}, 'user', {owner}, {}, {}, 'owner')",
                sql(f.expires_at),
                sql(f.revoked_at)
            )
        })
        .collect();
    server.sql(&format!(
        "INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, owner_id, \
         created_by_kind, created_by_user, expires_at, revoked_at, ceiling_role) VALUES {}",
        values.join(", ")
    ));

    // Every rule as a 0/1 column, exactly as a WHERE would take it (NULL is not selected):
    // with the owner joined, by `owner_id`, and on the unaliased table of an UPDATE.
    let by_id = Tables {
        token: "t",
        owner: Owner::ById,
    };
    let column = |i: usize, rule: &Rule, on: &Tables, how: &str| {
        format!(
            "CASE WHEN {} THEN 1 ELSE 0 END AS \"{how} {i}\"",
            rule.sql(on, &mut literal)
        )
    };
    let joined: Vec<String> = rules
        .iter()
        .enumerate()
        .flat_map(|(i, (_, r))| {
            [
                column(i, r, &Tables::JOINED, "joined"),
                column(i, r, &by_id, "by id"),
            ]
        })
        .collect();
    let mut answers: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for row in server.sql(&format!(
        "SELECT t.name AS name, {} FROM tokens t LEFT JOIN users u ON u.id = t.owner_id \
         WHERE t.name LIKE 'state %'",
        joined.join(", ")
    )) {
        answers.insert(row["name"].as_str().unwrap().to_owned(), row);
    }
    let unaliased: Vec<String> = rules
        .iter()
        .enumerate()
        .map(|(i, (_, r))| column(i, r, &Tables::UNALIASED, "unaliased"))
        .collect();
    for row in server.sql(&format!(
        "SELECT name, {} FROM tokens WHERE name LIKE 'state %'",
        unaliased.join(", ")
    )) {
        let name = row["name"].as_str().unwrap().to_owned();
        let all = answers.get_mut(&name).expect("the same tokens");
        for (k, v) in row.as_object().unwrap() {
            all[k] = v.clone();
        }
    }
    assert_eq!(answers.len(), tokens.len(), "every combination is in D1");

    let mut held = vec![0; rules.len()];
    for (i, (facts, _)) in tokens.iter().enumerate() {
        let row = &answers[&format!("state {i}")];
        for (k, (label, rule)) in rules.iter().enumerate() {
            let rust = rule.holds(facts);
            held[k] += usize::from(rust);
            for how in ["joined", "by id", "unaliased"] {
                let d1 = row[format!("{how} {k}")].as_i64() == Some(1);
                assert_eq!(
                    d1, rust,
                    "{label} ({how}) for {facts:?}: D1 {d1}, Rust {rust}"
                );
            }
        }
    }
    for ((label, _), n) in rules.iter().zip(held) {
        assert!(
            n > 0 && n < tokens.len(),
            "{label} holds for some and not all: {n}"
        );
    }
}

#[tokio::test]
async fn revoking_an_expired_token_changes_nothing_alone_or_in_bulk_and_says_so() {
    let (server, owner) = TestServer::with_owner().await;
    let mut ids = Vec::new();
    for name in ["lapsed", "working", "held"] {
        ids.push(owner.agent_token(name).await.token.id);
    }
    server.sql(&format!(
        "UPDATE tokens SET expires_at = 1700000000001 WHERE id = '{}'",
        ids[0]
    ));
    assert_eq!(owner.token(ids[0]).await.status, TokenStatus::Expired);

    let message = expect_error(
        owner
            .post(&format!("/api/tokens/{}/revoke", ids[0]), &json!({}))
            .await,
        StatusCode::CONFLICT,
        "already_expired",
    )
    .await;
    assert!(message.contains("\u{201c}lapsed\u{201d}"), "{message}");
    let message = expect_error(
        owner
            .post("/api/tokens/bulk-revoke", &json!({ "ids": ids }))
            .await,
        StatusCode::CONFLICT,
        "already_expired",
    )
    .await;
    assert!(
        message.contains("1 of the tokens have expired"),
        "{message}"
    );
    for (id, status) in ids.iter().zip([
        TokenStatus::Expired,
        TokenStatus::Active,
        TokenStatus::Active,
    ]) {
        assert_eq!(owner.token(id).await.status, status, "nothing changed");
    }
    // What the SPA sends for that selection, the others: revoked, the expired one untouched.
    let answer = owner
        .post("/api/tokens/bulk-revoke", &json!({ "ids": ids[1..] }))
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let expired = owner.token(ids[0]).await;
    assert_eq!(
        (expired.status, expired.revoked_at),
        (TokenStatus::Expired, None)
    );
    assert_eq!(owner.token(ids[2]).await.status, TokenStatus::Revoked);
}
