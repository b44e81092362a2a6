//! Attacks, each written as the exact request sequence an attacker would send (issue 8). Every
//! test here failed against the code before the fix and passes after it.

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::api::{AgentList, Token, TokenList, User, UserList};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tests::{Actor, TestServer, PASSWORD};

const OWNER_TOKEN_A: &str =
    "tc-apiv1_a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11c";
const OWNER_TOKEN_B: &str =
    "tc-apiv1_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

async fn code(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["error"].as_str().unwrap_or_default().to_owned())
}

async fn users(actor: &Actor) -> Vec<User> {
    let list: UserList = actor.get("/api/users").await.json().await.unwrap();
    list.items
}

async fn token(actor: &Actor, id: &str) -> Token {
    let response = actor.get(&format!("/api/tokens/{id}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

// Hole 1: an Administrator hands a powerful token to the Owner, then uses it as the Owner.

#[tokio::test]
async fn an_administrator_cannot_hand_a_token_to_the_owner() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let admin = owner.create_user("ada", "administrator").await;
    let created = admin
        .create_token(json!({"name": "escalator", "permissions": "users:*,tokens:*"}))
        .await;
    let id = created.token.id.clone();

    let single = admin
        .post(
            &format!("/api/tokens/{id}/reassign"),
            &json!({"userId": owner.user_id()}),
        )
        .await;
    assert_eq!(code(single).await, (StatusCode::FORBIDDEN, "forbidden".into()));
    let bulk = admin
        .post(
            "/api/tokens/bulk-reassign",
            &json!({"ids": [id], "userId": owner.user_id()}),
        )
        .await;
    assert_eq!(code(bulk).await, (StatusCode::FORBIDDEN, "forbidden".into()));
    assert_eq!(
        token(&owner, &id).await.owner_id.as_deref(),
        Some(admin.user_id()),
        "the token stayed with the Administrator"
    );
}

#[tokio::test]
async fn a_token_never_acts_above_the_role_of_its_creator() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let admin = owner.create_user("ada", "administrator").await;
    let created = admin
        .create_token(json!({"name": "escalator", "permissions": "users:*,tokens:*"}))
        .await;
    // Even when the Owner takes the token over (which the Owner may), it keeps its creator's
    // ceiling: it acts as an Administrator at most.
    let taken = owner
        .post(
            &format!("/api/tokens/{}/reassign", created.token.id),
            &json!({"userId": owner.user_id()}),
        )
        .await;
    assert_eq!(taken.status(), StatusCode::OK);
    let escalator = admin.holding(&created.secret);
    let promote = escalator
        .patch(
            &format!("/api/users/{}", admin.user_id()),
            &json!({"role": "owner"}),
        )
        .await;
    assert_eq!(promote.status(), StatusCode::FORBIDDEN);
    let remove_owner = escalator
        .delete(&format!("/api/users/{}", owner.user_id()))
        .await;
    assert_eq!(remove_owner.status(), StatusCode::FORBIDDEN);
    let roles: Vec<(String, String)> = users(&owner)
        .await
        .into_iter()
        .map(|u| (u.username, u.role.as_str().to_owned()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("ada".to_owned(), "administrator".to_owned()),
            ("owner".to_owned(), "owner".to_owned())
        ]
    );

    // What it does is recorded under the token, not under the Owner's bare name.
    let victim = owner.create_token(json!({"name": "victim"})).await;
    let revoked = escalator
        .post(&format!("/api/tokens/{}/revoke", victim.token.id), &json!({}))
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let by = token(&owner, &victim.token.id).await.revoked_by.unwrap();
    assert!(by.contains("escalator"), "revoked by {by:?}");
}

// Hole 2: a rotated OWNER_TOKEN keeps working and the new value is refused.

async fn with_bearer(server: &TestServer, secret: &str, path: &str) -> reqwest::Response {
    server
        .http()
        .get(server.url(path))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
}

async fn message(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["message"].as_str().unwrap_or_default().to_owned())
}

fn bootstrap_rows(list: &TokenList) -> Vec<(String, shared::TokenStatus)> {
    let mut rows: Vec<_> = list
        .items
        .iter()
        .filter(|t| t.source == shared::TokenSource::Bootstrap)
        .map(|t| (t.name.clone(), t.status))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

#[tokio::test]
async fn a_rotated_owner_token_is_revoked_and_the_new_value_works_at_once() {
    let mut server = TestServer::builder()
        .var("OWNER_TOKEN", OWNER_TOKEN_A)
        .start()
        .await;
    assert_eq!(
        with_bearer(&server, OWNER_TOKEN_A, "/api/tokens").await.status(),
        StatusCode::OK
    );

    server.restart(&[("OWNER_TOKEN", OWNER_TOKEN_B)]).await;
    // The new value works on its very first request, though the old one was never presented.
    let listed = with_bearer(&server, OWNER_TOKEN_B, "/api/tokens").await;
    assert_eq!(listed.status(), StatusCode::OK);
    let list: TokenList = listed.json().await.unwrap();
    use shared::TokenStatus::{Active, Revoked};
    assert_eq!(
        bootstrap_rows(&list),
        vec![
            ("bootstrap-token".to_owned(), Revoked),
            ("bootstrap-token-1".to_owned(), Active)
        ],
        "the old one stays listed as Revoked; the new one takes a suffixed name"
    );
    assert_eq!(
        message(with_bearer(&server, OWNER_TOKEN_A, "/api/tokens").await).await,
        (StatusCode::UNAUTHORIZED, "Token revoked".to_owned())
    );

    // Removing the variable changes nothing: the current one keeps working, the old one stays
    // revoked.
    server.restart(&[]).await;
    assert_eq!(
        with_bearer(&server, OWNER_TOKEN_B, "/api/tokens").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        message(with_bearer(&server, OWNER_TOKEN_A, "/api/tokens").await).await,
        (StatusCode::UNAUTHORIZED, "Token revoked".to_owned())
    );
}

#[tokio::test]
async fn the_old_owner_token_presented_first_after_rotation_is_refused_and_recorded() {
    let mut server = TestServer::builder()
        .var("OWNER_TOKEN", OWNER_TOKEN_A)
        .start()
        .await;
    let owner = server.owner().await;
    assert_eq!(
        with_bearer(&server, OWNER_TOKEN_A, "/api/auth/me").await.status(),
        StatusCode::NOT_FOUND,
        "the bootstrap token works (it has no user of its own)"
    );
    let cookie = match &owner.auth {
        tests::actors::Auth::Session(c) => c.clone(),
        _ => unreachable!(),
    };

    server.restart(&[("OWNER_TOKEN", OWNER_TOKEN_B)]).await;
    assert_eq!(
        message(with_bearer(&server, OWNER_TOKEN_A, "/api/tokens").await).await,
        (StatusCode::UNAUTHORIZED, "Token revoked".to_owned())
    );
    let list: TokenList = server
        .http()
        .get(server.url("/api/tokens"))
        .header("Cookie", format!("tc_session={cookie}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let old = list
        .items
        .iter()
        .find(|t| t.source == shared::TokenSource::Bootstrap)
        .expect("the old bootstrap token is still listed");
    assert_eq!(old.status, shared::TokenStatus::Revoked);
    assert!(old.revoked_by.is_some());
}

// Hole 3: login throttling loses under concurrency.

#[tokio::test]
async fn two_hundred_parallel_wrong_passwords_get_at_most_five_checked() {
    let server = TestServer::start().await;
    let _owner = server.owner().await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..200 {
        let (http, url) = (server.http().clone(), server.url("/api/auth/login"));
        set.spawn(async move {
            http.post(url)
                .json(&json!({"username": "owner", "password": format!("wrong guess {i:04}")}))
                .send()
                .await
                .map(|r| r.status())
        });
    }
    let mut statuses = Vec::new();
    while let Some(joined) = set.join_next().await {
        statuses.push(joined.unwrap().expect("answered"));
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(checked <= 5, "{checked} passwords were checked");
    assert_eq!(checked + throttled, 200, "{statuses:?}");

    let right = server
        .http()
        .post(server.url("/api/auth/login"))
        .json(&json!({"username": "owner", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = right.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
}

// Hole 4: failed sign-ins can fill D1.

#[tokio::test]
async fn failed_sign_ins_cannot_fill_the_database() {
    let server = TestServer::start().await;
    let _owner = server.owner().await;
    let huge = "u".repeat(60_000);
    let response = server
        .http()
        .post(server.url("/api/auth/login"))
        .json(&json!({"username": huge, "password": "whatever it is"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());
    let longest = server.sql("SELECT COALESCE(MAX(length(username)), 0) AS n FROM login_failures");
    assert!(
        longest[0]["n"].as_i64().unwrap() <= 64,
        "an invalid username was stored: {longest:?}"
    );

    // Rows older than the window go, whoever they were for.
    server.sql(
        "INSERT INTO login_failures (username, at) VALUES ('someone-else', 1000), ('another', 2000)",
    );
    let wrong = server
        .http()
        .post(server.url("/api/auth/login"))
        .json(&json!({"username": "owner", "password": "not the password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let old = server.sql("SELECT COUNT(*) AS n FROM login_failures WHERE at < 1000000");
    assert_eq!(old[0]["n"], 0, "stale failures of other usernames are purged");
}

// Hole 5: an agent record can be taken over by any heartbeat token.

#[tokio::test]
async fn a_foreign_token_cannot_take_over_an_agent_record() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let alice = owner.create_user("alice", "manager").await;
    let mallory = owner.create_user("mallory", "manager").await;
    let alices = alice
        .create_token(json!({"name": "alice agents", "preset": "telegraf-agent"}))
        .await;
    let mallorys = mallory
        .create_token(json!({"name": "mallory agents", "preset": "telegraf-agent"}))
        .await;
    let beat = |secret: &str, hostname: &str| {
        server
            .http()
            .post(server.url("/agents/heartbeat"))
            .bearer_auth(secret)
            .json(&json!({"id": "web-01", "version": "Telegraf 1.39.0", "hostname": hostname}))
            .send()
    };
    assert_eq!(
        beat(&alices.secret, "alice-host").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        beat(&mallorys.secret, "mallory-host").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );

    let hers: AgentList = alice.get("/api/agents").await.json().await.unwrap();
    let row = hers
        .items
        .iter()
        .find(|a| a.id == "web-01")
        .expect("Alice still sees web-01");
    assert_eq!(row.hostname.as_deref(), Some("alice-host"));
    assert_eq!(row.token_id.as_deref(), Some(alices.token.id.as_str()));
    assert_eq!(
        token(&alice, &alices.token.id).await.recent_agents,
        vec!["web-01".to_owned()],
        "the 24-hour warning of Alice's token still names web-01"
    );
}

// Hole 6: a token mints tokens that outlive it.

#[tokio::test]
async fn a_token_cannot_mint_a_token_that_outlives_it() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
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
            child.token.expires_at.as_deref(),
            Some(parent_expiry.as_str()),
            "capped at the parent's expiry"
        );
        let history: Value = owner
            .get(&format!("/api/tokens/{}/history", child.token.id))
            .await
            .json()
            .await
            .unwrap();
        let created = &history["items"][0];
        assert_eq!(created["kind"], "created");
        assert!(
            created["detail"]
                .as_str()
                .is_some_and(|d| d.contains("ci parent")),
            "history names the parent token: {created}"
        );
    }
}

// Hole 7: request bodies are read whole before the size check.

#[tokio::test]
async fn a_chunked_body_is_cut_off_at_64_kib_without_waiting_for_its_end() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start().await;
    let owner = server.owner().await;
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

// Hole 8: owner protection is read, then the write does not re-check it.

#[tokio::test]
async fn an_administrator_racing_an_ownership_transfer_never_changes_the_owner() {
    let server = TestServer::start().await;
    let mut current = server.owner().await;
    let admin = current.create_user("racer", "administrator").await;
    for round in 0..12 {
        let heir = current
            .create_user(&format!("heir{round}"), "administrator")
            .await;
        let (empty, demotion) = (json!({}), json!({"role": "viewer", "disabled": true}));
        let (transfer_path, user_path) = (
            format!("/api/users/{}/transfer-ownership", heir.user_id()),
            format!("/api/users/{}", heir.user_id()),
        );
        let transfer = current.post(&transfer_path, &empty);
        let demote = admin.patch(&user_path, &demotion);
        let (transferred, demoted) = tokio::join!(transfer, demote);
        let (transferred, demoted) = (transferred.status(), demoted.status());
        let all = users(&current).await;
        let owners: Vec<&User> = all
            .iter()
            .filter(|u| u.role == shared::roles::Role::Owner)
            .collect();
        assert_eq!(owners.len(), 1, "round {round}: exactly one Owner: {all:?}");
        assert!(!owners[0].disabled, "round {round}: the Owner is enabled");
        if owners[0].username == heir.user.as_ref().unwrap().username {
            assert_eq!(transferred, StatusCode::OK, "round {round}");
            assert!(
                !demoted.is_success(),
                "round {round}: the Administrator changed the new Owner ({demoted})"
            );
            current = heir;
        } else {
            // The Administrator got there first: the heir is a disabled Viewer, and ownership
            // cannot go to a disabled user.
            assert!(demoted.is_success(), "round {round}: {demoted}");
            assert_eq!(transferred, StatusCode::CONFLICT, "round {round}");
        }
    }
}

// Hole 9: exactly one Owner; ownership moves only by transfer, made by a person.

#[tokio::test]
async fn ownership_moves_only_by_a_transfer_the_owner_makes_in_person() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let heir = owner.create_user("heir", "administrator").await;
    let heir_path = format!("/api/users/{}", heir.user_id());

    // The Owner role is never granted by an edit or a create, not even by the Owner.
    let grant = owner.patch(&heir_path, &json!({"role": "owner"})).await;
    assert_eq!(grant.status(), StatusCode::FORBIDDEN);
    let second = owner
        .post(
            "/api/users",
            &json!({"username": "owner2", "password": PASSWORD, "role": "owner"}),
        )
        .await;
    assert_eq!(second.status(), StatusCode::FORBIDDEN);

    // A token cannot transfer ownership, even the Owner's own with every permission.
    let owners_token = owner.token_actor("owner script", "users:*,tokens:*").await;
    let transfer_path = format!("{heir_path}/transfer-ownership");
    assert_eq!(
        owners_token.post(&transfer_path, &json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    // Nor can an Administrator, for themselves.
    assert_eq!(
        heir.post(&transfer_path, &json!({})).await.status(),
        StatusCode::FORBIDDEN
    );

    let moved = owner.post(&transfer_path, &json!({})).await;
    assert_eq!(moved.status(), StatusCode::OK);
    let roles: Vec<(String, String)> = users(&owner)
        .await
        .into_iter()
        .map(|u| (u.username, u.role.as_str().to_owned()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("heir".to_owned(), "owner".to_owned()),
            ("owner".to_owned(), "administrator".to_owned())
        ]
    );
    // The former Owner's token now acts as an Administrator at most.
    let demote_heir = owners_token.patch(&heir_path, &json!({"role": "manager"})).await;
    assert_eq!(demote_heir.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_database_with_several_owners_keeps_only_the_earliest() {
    let hash = "x".repeat(44);
    let server = TestServer::builder()
        .seed_before_migration(
            4,
            &format!(
                "INSERT INTO users (id, username, display_name, role, disabled, password_hash, password_salt, password_iterations, created_at) VALUES \
                 ('00000000-0000-4000-8000-000000000002', 'second', 'Second', 'owner', 0, '{hash}', 's', 1, 2000), \
                 ('00000000-0000-4000-8000-000000000001', 'first', 'First', 'owner', 0, '{hash}', 's', 1, 1000), \
                 ('00000000-0000-4000-8000-000000000003', 'third', 'Third', 'owner', 0, '{hash}', 's', 1, 3000)"
            ),
        )
        .start()
        .await;
    let rows = server.sql("SELECT username, role FROM users ORDER BY username");
    assert_eq!(
        rows,
        vec![
            json!({"username": "first", "role": "owner"}),
            json!({"username": "second", "role": "administrator"}),
            json!({"username": "third", "role": "administrator"}),
        ]
    );
}

// Hole 10: the pages carry no security headers.

#[tokio::test]
async fn pages_and_answers_carry_a_strict_security_policy() {
    use base64::Engine;
    use sha2::Digest;
    let server = TestServer::start().await;
    let page = server.http().get(server.url("/tokens")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    let html = page.text().await.unwrap();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "'wasm-unsafe-eval'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp:?}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Every inline script the page carries is allowed by its hash, and nothing else inline is.
    let mut inline = 0;
    for part in html.split("<script").skip(1) {
        let (attributes, rest) = part.split_once('>').unwrap();
        if attributes.contains("src=") {
            continue;
        }
        let body = rest.split("</script>").next().unwrap();
        let digest = sha2::Sha256::digest(body.as_bytes());
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
        inline += 1;
    }
    assert!(inline >= 1, "Trunk's loader is inline: {html}");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert!(header("strict-transport-security").contains("max-age="));

    let api = server
        .http()
        .get(server.url("/api/health"))
        .send()
        .await
        .unwrap();
    let api_headers = api.headers();
    let get = |name: &str| {
        api_headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    assert_eq!(get("cache-control"), "no-store");
    assert!(get("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(get("x-frame-options"), "DENY");
    assert_eq!(get("referrer-policy"), "no-referrer");
}

#[tokio::test]
async fn the_app_starts_under_its_policy_with_no_violation() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    owner.create_token(json!({"name": "shown"})).await;
    let browser = tests::Browser::start().await;
    browser.sign_in(&server, "owner").await;
    browser.wait_for_text("shown", true).await;
    // The page really runs under the strict policy…
    let policy = browser
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             fetch(location.href).then(r => done(r.headers.get('content-security-policy') || ''));",
            vec![],
        )
        .await
        .unwrap();
    let policy = policy.as_str().unwrap_or_default().to_owned();
    assert!(
        policy.contains("'wasm-unsafe-eval'") && policy.contains("frame-ancestors 'none'"),
        "the page is served without its policy: {policy:?}"
    );
    // …and violations fire as events: count them from here on across the pages and dialogs.
    browser
        .client()
        .execute(
            "window.__violations = []; document.addEventListener('securitypolicyviolation', \
             e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));",
            vec![],
        )
        .await
        .unwrap();
    for (href, text) in [
        ("/users", "+ Add user"),
        ("/agents", "No agent has sent a heartbeat yet."),
        ("/configs", "Configurations"),
        ("/tokens", "shown"),
    ] {
        browser
            .find(&format!("nav a[href='{href}']"))
            .await
            .click()
            .await
            .unwrap();
        browser.wait_for_text(text, true).await;
    }
    browser.button("+ Create API Token").await.click().await.unwrap();
    browser.wait_for_text("Create Token", true).await;
    let violations = browser
        .client()
        .execute("return window.__violations;", vec![])
        .await
        .unwrap();
    assert_eq!(violations, json!([]), "CSP violations: {violations}");
    // The first load itself ran under the policy: had the loader's hash been wrong, nothing
    // above would have rendered. The browser's console says the same.
    let logs = browser.console_errors().await;
    assert!(
        !logs.iter().any(|l| l.contains("Content Security Policy")),
        "{logs:?}"
    );
    browser.close().await;
}

// Hole 11: smaller ones.

#[tokio::test]
async fn tokens_created_with_the_bootstrap_token_belong_to_the_owner_and_work() {
    let server = TestServer::builder()
        .var("OWNER_TOKEN", OWNER_TOKEN_A)
        .start()
        .await;
    let create = |name: &str| {
        server
            .http()
            .post(server.url("/api/tokens"))
            .bearer_auth(OWNER_TOKEN_A)
            .json(&json!({"name": name, "preset": "telegraf-agent"}))
            .send()
    };
    // Before anyone owns the instance there is nobody to give the token to: a clear refusal.
    let orphan = create("orphan").await.unwrap();
    assert_eq!(orphan.status(), StatusCode::CONFLICT);
    let text: Value = orphan.json().await.unwrap();
    assert!(
        text["message"].as_str().unwrap().contains("Owner"),
        "{text}"
    );

    let owner = server.owner().await;
    let made = create("provisioned").await.unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    let created: shared::api::CreatedToken = made.json().await.unwrap();
    assert_eq!(created.token.owner_id.as_deref(), Some(owner.user_id()));
    assert_eq!(
        with_bearer(&server, &created.secret, "/api/tokens/capabilities")
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "authenticates (403: the agent preset has no tokens permission), not 401"
    );
}

#[tokio::test]
async fn repeated_invalid_tokens_from_one_address_get_429_but_valid_agents_pass() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let agent = owner
        .create_token(json!({"name": "agent", "preset": "telegraf-agent"}))
        .await;
    let mut first_429 = None;
    for i in 0..200u32 {
        let guess = format!("tc-apiv1_{:064x}", u128::from(i) + 7);
        let response = with_bearer(&server, &guess, "/api/agents").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry), "Retry-After {retry}");
            first_429 = Some(i);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "guess {i}");
    }
    assert!(first_429.is_some(), "200 invalid tokens and never a 429");
    // A valid agent from the same address is not held up.
    assert_eq!(
        with_bearer(&server, &agent.secret, "/api/configs").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_prefixed_and_only_that_name_is_read() {
    let server = TestServer::start().await;
    // wrangler dev serves plain http on localhost; Miniflare's MF-Original-URL gives the worker
    // the host a request had at Cloudflare's edge (the local proxy keeps the scheme http, which
    // is why Strict-Transport-Security, sent only over https, cannot be seen here).
    let origin = "https://tokens.example.com";
    let https = |method: reqwest::Method, path: &str| {
        server
            .http()
            .request(method, server.url(path))
            .header("MF-Original-URL", format!("{origin}{path}"))
            .header("Origin", origin)
    };
    let setup = https(reqwest::Method::POST, "/api/auth/setup")
        .json(&json!({"username": "owner", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), StatusCode::CREATED);
    let set_cookie = setup.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.starts_with("__Host-tc_session=")
            && set_cookie.contains("; Secure")
            && set_cookie.contains("; Path=/")
            && !set_cookie.contains("Domain"),
        "{set_cookie}"
    );
    let value = set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-tc_session=")
        .to_owned();
    let me = |name: &str| {
        https(reqwest::Method::GET, "/api/auth/me")
            .header("Cookie", format!("{name}={value}"))
            .send()
    };
    assert_eq!(me("__Host-tc_session").await.unwrap().status(), StatusCode::OK);
    // A cookie without the prefix, which a subdomain or a plain-http page could have planted,
    // is not a session over https.
    assert_eq!(
        me("tc_session").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}
