//! Whether a token works is written once (`shared::token_state`) and rendered to both Rust
//! and SQL: here D1 evaluates every rule's SQL, in each way the worker places it, over every
//! combination of the facts the rules read, and selects exactly the tokens the Rust form says
//! it holds for. (What follows at the edge, revoking an expired token, is in
//! `token_lifecycle.rs`.)

use reqwest::StatusCode;
use serde_json::json;
use shared::permissions::{Action, Permissions, Resource};
use shared::roles::Role;
use shared::token_state::{Bound, Facts, Opening, Opens, Owner, Rule, Tables};
use shared::{TokenSource, TokenStatus, UserId};
use std::collections::BTreeMap;
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
fn literal(value: Bound<'_>) -> String {
    match value {
        Bound::Instant(ms) => ms.to_string(),
        Bound::Text(Some(text)) => format!("'{text}'"),
        Bound::Text(None) => "NULL".into(),
    }
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

/// The value lists the combinations of [`an_agents_token_opens_in_d1_exactly_when_rust_says_so`]
/// are made of; each row's name records its index in each list, one digit a list.
const REVOKED: [Option<i64>; 2] = [None, Some(5)];
const AROUND_NOW: [Option<i64>; 4] = [None, Some(NOW - 1), Some(NOW), Some(NOW + 1)];
const SOURCES: [TokenSource; 3] = [
    TokenSource::User,
    TokenSource::Preshared,
    TokenSource::Bootstrap,
];
const GRANTS: [&str; 3] = [
    "heartbeat:write",
    "configs:*,heartbeat:write",
    "tokens:read",
];
const REQUESTS: [(Resource, Action); 3] = [
    (Resource::Heartbeat, Action::Write),
    (Resource::Configs, Action::Read),
    (Resource::Tokens, Action::Read),
];

fn sql_value(v: Option<i64>) -> String {
    v.map_or("NULL".to_owned(), |v| v.to_string())
}

/// A list as a table of its indexes `i` and SQL values `v`.
fn values<T>(items: &[T], show: impl Fn(usize, &T) -> String) -> String {
    let rows: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, item)| format!("({i}, {})", show(i, item)))
        .collect();
    format!(
        "(SELECT column1 AS i, column2 AS v FROM (VALUES {}))",
        rows.join(", ")
    )
}

/// `Opens` (what an agent's token must be beyond working: its secret, not a replaced
/// bootstrap token, its role and its own grants) in D1 and in Rust, over every combination
/// of revoked, expiry, owner (none, or each role enabled and disabled), which secret was
/// presented, the replaced one's overlap, OWNER_TOKEN (unset, this token's, another), source,
/// ceiling and grants, for three requests: 55,296 tokens, the same answer each time.
#[tokio::test]
async fn an_agents_token_opens_in_d1_exactly_when_rust_says_so() {
    let (server, owner) = TestServer::with_owner().await;
    // The owners: none, then each role enabled, then each role disabled but the Owner's (an
    // instance has one Owner, enabled: the schema and the users routes keep it so). The
    // Owner is the server's own; the others are inserted here.
    let mut owners: Vec<Option<(Role, bool)>> = vec![None];
    for disabled in [false, true] {
        owners.extend(
            Role::ALL
                .iter()
                .filter(|&&r| !(disabled && r == Role::Owner))
                .map(|&r| Some((r, disabled))),
        );
    }
    let ids: Vec<Option<String>> = owners
        .iter()
        .enumerate()
        .map(|(i, o)| match o {
            None => None,
            Some((Role::Owner, _)) => Some(owner.user_id().to_string()),
            Some(_) => Some(format!("owner-{i}")),
        })
        .collect();
    let users: Vec<String> = owners
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.map(|(role, disabled)| (i, role, disabled)))
        .filter(|(_, role, _)| *role != Role::Owner)
        .map(|(i, role, disabled)| {
            format!(
                "('owner-{i}', 'state-owner-{i}', 'Owner {i}', '{}', {}, 'x', 'x', 1, 1)",
                role.as_str(),
                u8::from(disabled)
            )
        })
        .collect();
    let grants: Vec<Permissions> = GRANTS
        .iter()
        .map(|g| Permissions::parse(g).unwrap())
        .collect();
    let text = |s: &str| format!("'{s}'");
    server.sql(&format!(
        "INSERT INTO users (id, username, display_name, role, disabled, password_hash, \
         password_salt, password_iterations, created_at) VALUES {}; \
         INSERT INTO tokens (id, name, token_hash, previous_hash, last4, permissions, source, \
           created_at, owner_id, created_by_kind, expires_at, revoked_at, previous_until, ceiling_role) \
         SELECT printf('%08x-0000-4000-8000-%012x', n, n), 'case ' || k, printf('%064x', n), \
           printf('%064x', n + 1000000000), '0000', permissions, source, 1, owner_id, 'system', \
           expires_at, revoked_at, previous_until, ceiling FROM ( \
           SELECT row_number() OVER () AS n, \
             rv.i || ex.i || ow.i || pc.i || pu.i || cf.i || so.i || ce.i || gr.i AS k, \
             rv.v AS revoked_at, ex.v AS expires_at, ow.v AS owner_id, pu.v AS previous_until, \
             so.v AS source, ce.v AS ceiling, gr.v AS permissions \
           FROM {} rv, {} ex, {} ow, {} pc, {} pu, {} cf, {} so, {} ce, {} gr)",
        users.join(", "),
        values(&REVOKED, |_, v| sql_value(*v)),
        values(&AROUND_NOW, |_, v| sql_value(*v)),
        values(&ids, |_, id| id.as_ref().map_or("NULL".into(), |id| format!("'{id}'"))),
        values(&[0, 1], |_, _| "0".into()),
        values(&AROUND_NOW, |_, v| sql_value(*v)),
        values(&[0, 1, 2], |_, _| "0".into()),
        values(&SOURCES, |_, s| text(s.as_str())),
        values(Role::ALL, |_, r| text(r.as_str())),
        values(&grants, |_, g| text(&g.to_string())),
    ));

    // Each row's presented secret and OWNER_TOKEN, from its name's digits: the 4th says
    // which secret (0: the current, 1: the replaced), the 6th OWNER_TOKEN (0: unset, 1: this
    // token's, 2: another).
    let digit = |n: usize| format!("substr(t.name, {}, 1)", "case ".len() + n);
    let presented = format!(
        "(CASE {} WHEN '0' THEN t.token_hash ELSE t.previous_hash END)",
        digit(4)
    );
    let configured = format!(
        "(CASE {} WHEN '0' THEN NULL WHEN '1' THEN t.token_hash ELSE 'another' END)",
        digit(6)
    );
    let mut columns = Vec::new();
    for (k, &(resource, action)) in REQUESTS.iter().enumerate() {
        let opens = Opens {
            resource,
            action,
            now: NOW,
            presented: "PRESENTED",
            configured: Some("CONFIGURED"),
        };
        let sql = opens.sql(&Tables::JOINED, &mut |b| match b {
            Bound::Instant(ms) => ms.to_string(),
            Bound::Text(Some("PRESENTED")) => presented.clone(),
            Bound::Text(Some("CONFIGURED")) => configured.clone(),
            other => literal(other),
        });
        columns.push(format!("(CASE WHEN {sql} THEN 1 ELSE 0 END) AS r{k}"));
    }
    let rows = server.sql(&format!(
        "SELECT substr(t.name, 6) AS k, {} FROM tokens t LEFT JOIN users u ON u.id = t.owner_id \
         WHERE t.name LIKE 'case %'",
        columns.join(", ")
    ));

    let at = |k: &str, n: usize| k[n - 1..n].parse::<usize>().unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut held = [0usize; 3];
    for row in &rows {
        let k = row["k"].as_str().unwrap();
        let owner = owners[at(k, 3)];
        let opening = Opening {
            facts: Facts {
                revoked_at: REVOKED[at(k, 1)],
                expires_at: AROUND_NOW[at(k, 2)],
                owner_disabled: owner.is_some_and(|(_, disabled)| disabled),
            },
            presented_current: at(k, 4) == 0,
            previous_until: AROUND_NOW[at(k, 5)],
            configured_current: [None, Some(true), Some(false)][at(k, 6)],
            source: SOURCES[at(k, 7)],
            owner_role: owner.map(|(role, _)| role),
            ceiling: Role::ALL[at(k, 8)],
            permissions: grants[at(k, 9)],
        };
        for (n, &(resource, action)) in REQUESTS.iter().enumerate() {
            let rust = Opens {
                resource,
                action,
                now: NOW,
                presented: "",
                configured: None,
            }
            .holds(&opening);
            held[n] += usize::from(rust);
            let d1 = row[format!("r{n}")].as_i64() == Some(1);
            assert_eq!(d1, rust, "{resource:?}:{action:?} for {opening:?}");
        }
        seen.insert(k.to_owned());
    }
    let every = REVOKED.len()
        * AROUND_NOW.len()
        * owners.len()
        * 2
        * AROUND_NOW.len()
        * 3
        * SOURCES.len()
        * Role::ALL.len()
        * GRANTS.len();
    assert_eq!(
        (rows.len(), seen.len()),
        (every, every),
        "every combination, once"
    );
    assert!(held.iter().all(|&n| n > 0 && n < every), "{held:?}");
}
