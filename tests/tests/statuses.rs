//! What the API says about a token or an agent is what the server does with it:
//! a disabled owner's tokens, a narrowed token's real permissions, an agent that went silent
//! or whose token was refused, and searches by what people see in the list.

use reqwest::StatusCode;
use serde_json::json;
use shared::agent::AgentState;
use shared::api::{AgentList, EventKind, TokenList};
use shared::permissions::Permissions;
use shared::roles::Role;
use shared::TokenStatus;
use tests::answers::token_refusal;
use tests::{Telegraf, TestServer};

#[tokio::test]
async fn a_disabled_owners_tokens_say_so_and_are_refused_for_that_reason() {
    let (server, owner) = TestServer::with_owner().await;
    let mia = owner.create_user("mia", "manager").await;
    let token = mia.agent_token("mia's agent").await;
    let id = token.token.id;
    let path = format!("/api/users/{}", mia.user_id());
    let disabled = owner.patch(&path, &json!({"disabled": true})).await;
    assert_eq!(disabled.status(), StatusCode::OK);

    assert_eq!(owner.token(id).await.status, TokenStatus::OwnerDisabled);
    let held_back = owner.tokens("?status=owner_disabled").await;
    assert_eq!(
        held_back.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![id]
    );
    assert_eq!(held_back.total, 1);
    assert!(owner
        .tokens("?status=active")
        .await
        .items
        .iter()
        .all(|t| t.id != id));

    let agent = Telegraf::new(&server, &token.secret);
    let refused = agent
        .heartbeat(&json!({"id": "web-01", "version": "1.39.0"}))
        .await;
    assert_eq!(token_refusal(refused).await, "Token owner is disabled");
    let refusal = owner
        .history(id)
        .await
        .into_iter()
        .find(|e| e.kind == EventKind::Refused);
    let detail = refusal
        .expect("the refusal is in the history")
        .detail
        .unwrap_or_default();
    assert!(detail.starts_with("Token owner is disabled"), "{detail}");

    let enabled = owner.patch(&path, &json!({"disabled": false})).await;
    assert_eq!(enabled.status(), StatusCode::OK);
    assert_eq!(owner.token(id).await.status, TokenStatus::Active);
    let accepted = agent
        .heartbeat(&json!({"id": "web-01", "version": "1.39.0"}))
        .await;
    assert_eq!(accepted.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_token_shows_what_it_may_really_do_after_a_reassignment() {
    let (_server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("max", "manager").await;
    let everything = json!({"name": "everything", "preset": "full-access"});
    let full = owner.create_token(everything).await;
    assert_eq!(full.token.effective_permissions, Permissions::ALL);
    let moved = owner.reassign(full.token.id, manager.user_id()).await;
    assert_eq!(moved.status(), StatusCode::OK);

    let token = owner.token(full.token.id).await;
    assert_eq!(
        token.permissions,
        Permissions::ALL,
        "what it was given stays on record"
    );
    assert_eq!(token.effective_permissions, Role::Manager.permissions());
    let listed = owner.all_tokens().await;
    assert_eq!(listed[0].effective_permissions, Role::Manager.permissions());
    // And the server enforces exactly that: users:read is out of reach.
    let holder = owner.holding(&full.secret);
    assert_eq!(
        holder.get("/api/users").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_agent_is_reporting_then_not_reporting_then_refused() {
    let (server, owner) = TestServer::with_owner().await;
    let token = owner.agent_token("edge").await;
    let agent = Telegraf::new(&server, &token.secret);
    let beat = json!({"id": "edge-01", "version": "1.39.0", "status": "OK"});
    assert_eq!(
        agent.heartbeat(&beat).await.status(),
        StatusCode::NO_CONTENT
    );
    let state = || async {
        let agents: AgentList = owner.get_json("/api/agents").await;
        agents.items[0].state
    };
    assert_eq!(state().await, AgentState::Reporting);

    // Six minutes of silence from an agent whose interval is not known yet.
    server.sql("UPDATE agents SET last_seen = last_seen - 360000");
    assert_eq!(state().await, AgentState::NotReporting);

    owner.revoke(token.token.id).await;
    assert_eq!(
        token_refusal(agent.heartbeat(&beat).await).await,
        "Token revoked"
    );
    assert_eq!(state().await, AgentState::Refused);
    let refusals = owner
        .history(token.token.id)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::Refused)
        .count();
    // A second refusal within the minute is not recorded again.
    token_refusal(agent.heartbeat(&beat).await).await;
    let again = owner.history(token.token.id).await;
    assert_eq!(
        again
            .iter()
            .filter(|e| e.kind == EventKind::Refused)
            .count(),
        refusals
    );
    assert_eq!(refusals, 1);
}

#[tokio::test]
async fn search_finds_tokens_by_hint_ending_and_by_owner() {
    let (_server, owner) = TestServer::with_owner().await;
    let mia = owner.create_user("mia", "manager").await;
    let hers = mia.create_token(json!({"name": "edge fleet"})).await;
    let mine = owner.create_token(json!({"name": "core fleet"})).await;
    let names = |list: TokenList| list.items.into_iter().map(|t| t.name).collect::<Vec<_>>();

    let last4 = &mine.token.hint[mine.token.hint.len() - 4..];
    let by_suffix = owner.tokens(&format!("?q={}", last4.to_uppercase())).await;
    assert!(names(by_suffix).contains(&"core fleet".to_owned()));
    let whole_hint =
        url::form_urlencoded::byte_serialize(mine.token.hint.as_bytes()).collect::<String>();
    assert_eq!(
        names(owner.tokens(&format!("?q={whole_hint}")).await),
        vec!["core fleet"]
    );
    assert_eq!(names(owner.tokens("?q=mia").await), vec!["edge fleet"]);
    assert_eq!(owner.tokens("?q=mia").await.total, 1);
    // The owner filter, for those who see every token.
    let hers_only = owner.tokens(&format!("?owner={}", mia.user_id())).await;
    assert_eq!(
        hers_only.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![hers.token.id]
    );
}
