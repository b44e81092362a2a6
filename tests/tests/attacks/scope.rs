//! Issue 22: a token scoped to configurations reads those and nothing else, on every way in
//! (download, its HEAD, a conditional download, the JSON API), hands on at most its own
//! scope, and a narrowed scope holds on the agent's very next request.

use super::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::api::{ConfigList, EventKind, Token};
use shared::audit::{AuditAction, AuditList};
use shared::token_scope::{OUTSIDE_SCOPE, OUTSIDE_SCOPE_REFUSAL};
use tests::Telegraf;

/// A token scoped to A asks for B by GET, HEAD and a conditional GET, and for an id that
/// names nothing: the same 404 each time, nothing of B in it, and one refusal in its history.
#[tokio::test]
async fn a_token_scoped_to_one_configuration_reads_no_other_by_any_way() {
    let (server, owner) = TestServer::with_owner().await;
    let a = owner.create_config("site a", TOML).await;
    let b = owner
        .create_config("site b", "# b's database password\n")
        .await;
    let token = owner
        .create_token(
            json!({"name": "site a agents", "preset": "telegraf-agent", "configScope": [a.id]}),
        )
        .await;
    assert_eq!(token.token.config_scope, Some(vec![a.id]));
    let telegraf = Telegraf::new(&server, &token.secret);
    assert_eq!(telegraf.fetch(a.id).await.status(), StatusCode::OK);
    assert_eq!(telegraf.poll(a.id).await.status(), StatusCode::OK);

    let nowhere = shared::ConfigId::from_uuid(uuid::Uuid::from_u128(42));
    let since = "Fri, 01 Jan 2100 00:00:00 GMT";
    for (how, request) in [
        (
            "GET",
            telegraf.request(Method::GET, &format!("/api/configs/{}/toml", b.id)),
        ),
        (
            "conditional GET",
            telegraf
                .request(Method::GET, &format!("/api/configs/{}/toml", b.id))
                .header("If-Modified-Since", since),
        ),
        (
            "an unknown id",
            telegraf.request(Method::GET, &format!("/api/configs/{nowhere}/toml")),
        ),
    ] {
        let answer = server.send(request).await;
        let (status, text) = message(answer).await;
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::NOT_FOUND, OUTSIDE_SCOPE),
            "{how}"
        );
    }
    let head = telegraf.poll(b.id).await;
    assert_eq!(head.status(), StatusCode::NOT_FOUND, "HEAD");
    assert!(
        head.headers().get("last-modified").is_none(),
        "HEAD tells nothing of B"
    );
    // Within the scope, the conditional download still answers 304.
    let conditional = telegraf
        .request(Method::GET, &format!("/api/configs/{}/toml", a.id))
        .header("If-Modified-Since", since);
    assert_eq!(
        server.send(conditional).await.status(),
        StatusCode::NOT_MODIFIED
    );

    let refusals = events_of(&owner, token.token.id, EventKind::Refused).await;
    assert_eq!(refusals.len(), 1, "one refusal a minute: {refusals:?}");
    assert!(
        refusals[0]
            .detail
            .as_deref()
            .unwrap_or_default()
            .starts_with(OUTSIDE_SCOPE_REFUSAL),
        "{refusals:?}"
    );

    // The JSON API agrees: only A is listed, B is not found, and no configuration is made.
    let reader = owner.holding(&owner.create_token(json!({"name": "site a reader", "permissions": "configs:read,configs:write", "configScope": [a.id]})).await.secret);
    let listed: ConfigList = reader.get_json("/api/configs").await;
    assert_eq!(
        listed.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![a.id]
    );
    let (status, text) = message(reader.get(&format!("/api/configs/{}", b.id)).await).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::NOT_FOUND, OUTSIDE_SCOPE)
    );
    let put = reader
        .request(Method::PUT, &format!("/api/configs/{}", b.id))
        .json(&json!({"name": "site b", "toml": "x = 1"}));
    assert_eq!(reader.send(put).await.status(), StatusCode::NOT_FOUND);
    let made = reader
        .post("/api/configs", &json!({"name": "new", "toml": "x = 1"}))
        .await;
    expect_error(made, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(
        owner
            .get_json::<ConfigList>("/api/configs")
            .await
            .items
            .len(),
        2
    );
}

/// A scoped token creates only tokens within its scope: asking for all (no configScope) or
/// for a configuration outside it is refused; within it, the child gets just that.
#[tokio::test]
async fn a_child_token_gets_no_scope_wider_than_its_parents() {
    let (_server, owner) = TestServer::with_owner().await;
    let a = owner.create_config("site a", TOML).await;
    let b = owner.create_config("site b", TOML).await;
    let parent = owner
        .create_token(json!({"name": "parent", "preset": "full-access", "configScope": [a.id]}))
        .await;
    let parent = owner.holding(&parent.secret);
    for (body, says) in [
        (
            json!({"name": "all"}),
            "a token it creates or changes must name configurations",
        ),
        (
            json!({"name": "wider", "configScope": [a.id, b.id]}),
            "a token hands on at most its own scope",
        ),
    ] {
        let (status, text) = message(parent.post("/api/tokens", &body).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(text.contains(says), "{text}");
    }
    let child = parent
        .create_token(json!({"name": "child", "configScope": [a.id]}))
        .await;
    assert_eq!(child.token.config_scope, Some(vec![a.id]));
    // Nor does it widen another token by changing it.
    let other = owner.agent_token("other").await.token.id;
    let widen = parent
        .patch(
            &format!("/api/tokens/{other}"),
            &json!({"configScope": [b.id]}),
        )
        .await;
    expect_error(widen, StatusCode::FORBIDDEN, "forbidden").await;
    // Bad and unknown ids are named.
    for (scope, says) in [
        (
            json!(["edge"]),
            "configScope: \"edge\" is not a configuration id (a UUID)",
        ),
        (
            json!([uuid::Uuid::from_u128(7).to_string()]),
            "configScope: there is no configuration with id",
        ),
    ] {
        let asked = owner
            .post("/api/tokens", &json!({"name": "bad", "configScope": scope}))
            .await;
        let (status, text) = message(asked).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(text.starts_with(says), "{text}");
    }
}

/// An agent polls while its scope is narrowed away from its configuration and given back,
/// fifty times: every request after a change is judged by it, without one miss.
#[tokio::test]
async fn a_narrowed_scope_holds_on_the_agents_very_next_request() {
    let (server, owner) = TestServer::with_owner().await;
    let a = owner.create_config("site a", TOML).await;
    let b = owner.create_config("site b", TOML).await;
    let token = owner.agent_token("polling agent").await;
    let telegraf = Telegraf::new(&server, &token.secret);
    let path = format!("/api/tokens/{}", token.token.id);
    let mut misses = Vec::new();
    for round in 0..50 {
        let (scope, want) = match round % 2 {
            0 => (json!([b.id]), StatusCode::NOT_FOUND),
            _ => (json!([a.id, b.id]), StatusCode::OK),
        };
        let changed = owner.patch(&path, &json!({"configScope": scope})).await;
        assert_eq!(changed.status(), StatusCode::OK);
        let got = telegraf.fetch(a.id).await.status();
        if got != want {
            misses.push(format!("round {round}: {got}, wanted {want}"));
        }
    }
    assert!(misses.is_empty(), "{misses:?}");
    // Back to all: null.
    let all: Token = owner
        .patch(&path, &json!({"configScope": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.config_scope, None);
    assert_eq!(telegraf.fetch(a.id).await.status(), StatusCode::OK);

    // Each change is in the token's history and in the audit log, before and after.
    let changes = events_of(&owner, token.token.id, EventKind::ScopeChanged).await;
    assert_eq!(changes.len(), 51);
    assert_eq!(
        changes[0].detail.as_deref(),
        Some("configurations: 2 configurations \u{2192} all configurations")
    );
    let audit: AuditList = owner
        .get_json(&format!(
            "/api/audit?action={}&limit=100",
            AuditAction::TokenScopeChanged.as_str()
        ))
        .await;
    assert_eq!(audit.items.len(), 51);
}

/// Deleting a configuration takes it out of every scope; a token left with none reads none
/// (it never widens to all).
#[tokio::test]
async fn a_scope_emptied_by_deletion_reads_nothing() {
    let (server, owner) = TestServer::with_owner().await;
    let a = owner.create_config("site a", TOML).await;
    let b = owner.create_config("site b", TOML).await;
    let token = owner
        .create_token(json!({"name": "site a", "preset": "telegraf-agent", "configScope": [a.id]}))
        .await;
    let gone = owner.delete(&format!("/api/configs/{}", a.id)).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_eq!(owner.token(token.token.id).await.config_scope, Some(vec![]));
    let telegraf = Telegraf::new(&server, &token.secret);
    let (status, text) = message(telegraf.fetch(b.id).await).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::NOT_FOUND, OUTSIDE_SCOPE)
    );
}

/// Narrowing takes what revoking takes; widening a token that can do more than the caller
/// (an Administrator and the Owner's token) is refused, and a Manager cannot see another's.
#[tokio::test]
async fn only_a_caller_who_could_hold_a_token_widens_its_scope() {
    let (_server, owner) = TestServer::with_owner().await;
    let admin = owner.create_user("ada", "administrator").await;
    let manager = owner.create_user("mia", "manager").await;
    let a = owner.create_config("site a", TOML).await;
    let owners = owner
        .create_token(json!({"name": "owner's", "preset": "full-access", "configScope": [a.id]}))
        .await
        .token
        .id;
    let path = format!("/api/tokens/{owners}");
    let widen = admin.patch(&path, &json!({"configScope": null})).await;
    let (status, text) = message(widen).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        text.contains("you may narrow what it reaches, not widen it"),
        "{text}"
    );
    let narrowed: Token = admin
        .patch(&path, &json!({"configScope": []}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(narrowed.config_scope, Some(vec![]));
    let hidden = manager.patch(&path, &json!({"configScope": []})).await;
    expect_error(hidden, StatusCode::NOT_FOUND, "token_not_found").await;
    let unknown = owner.patch(&path, &json!({"scope": []})).await;
    assert_eq!(
        unknown.status(),
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
}

/// The configurations page says how many tokens are scoped to each configuration: unrevoked
/// ones naming it, counted in the list's own statement.
#[tokio::test]
async fn the_configuration_list_counts_the_tokens_scoped_to_each() {
    let (_server, owner) = TestServer::with_owner().await;
    let a = owner.create_config("site a", TOML).await;
    let b = owner.create_config("site b", TOML).await;
    let c = owner.create_config("site c", TOML).await;
    for (name, scope) in [
        ("a only", json!([a.id])),
        ("a and b", json!([a.id, b.id])),
        ("everything", json!(null)),
    ] {
        owner
            .create_token(json!({"name": name, "configScope": scope}))
            .await;
    }
    let gone = owner
        .create_token(json!({"name": "revoked a", "configScope": [a.id]}))
        .await;
    owner.revoke(gone.token.id).await;
    let list: ConfigList = owner.get_json("/api/configs").await;
    let counts: Vec<(&str, Option<u64>)> = list
        .items
        .iter()
        .map(|c| (c.name.as_str(), c.scoped_tokens))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("site a", Some(2)),
            ("site b", Some(1)),
            ("site c", Some(0))
        ]
    );
    let one: shared::api::Config = owner.get_json(&format!("/api/configs/{}", c.id)).await;
    assert_eq!(one.scoped_tokens, None, "counted in the list only");
}
