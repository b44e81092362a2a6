//! Hole 4 of round 2: deleting a token left its name in other tokens' records (the children it
//! created said `createdBy: owner (token "name")`, the tokens it revoked kept it in
//! `revokedBy`, their histories carried it as actor). Who acted is now a reference that a
//! deletion empties by itself: nothing of the token stays anywhere, and every answer that
//! mentions it says "a deleted token".

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::actor::ActorKind;
use shared::audit::AuditList;
use tests::{Telegraf, TestServer};

const NAME: &str = "zebra parent 7731";

#[tokio::test]
async fn a_deleted_token_leaves_nothing_in_any_table_and_reads_as_a_deleted_token() {
    let (server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("mia", "manager").await;
    let parent = owner
        .create_token(json!({"name": NAME, "preset": "full-access"}))
        .await;
    let with_parent = owner.holding(&parent.secret);
    // Everything a token can leave its mark on: a child, a revocation, a reassign, a
    // rotation, an agent's heartbeat, audit entries.
    let child = with_parent
        .create_token(json!({"name": "child", "expiresAt": "2099-01-01T00:00:00Z"}))
        .await;
    let revoked = owner.agent_token("revoked by it").await;
    let moved = owner.agent_token("moved by it").await;
    let rotated = owner.agent_token("rotated by it").await;
    let ok = |r: reqwest::Response| assert_eq!(r.status(), StatusCode::OK);
    ok(with_parent
        .post(
            &format!("/api/tokens/{}/revoke", revoked.token.id),
            &json!({}),
        )
        .await);
    ok(with_parent
        .reassign(moved.token.id, manager.user_id())
        .await);
    with_parent.rotate(rotated.token.id, "PT0S").await;
    let beat = json!({"id": "edge-1", "version": "Telegraf 1.39.0"});
    let agent = Telegraf::new(&server, &parent.secret);
    assert_eq!(
        agent.heartbeat(&beat).await.status(),
        StatusCode::NO_CONTENT
    );
    let named = format!("owner (token \"{NAME}\")");
    assert_eq!(
        owner.token(child.token.id).await.created_by,
        Some(named.clone())
    );
    assert_eq!(owner.token(revoked.token.id).await.revoked_by, Some(named));

    let gone = owner
        .delete(&format!("/api/tokens/{}", parent.token.id))
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);

    // Every answer about what it did says a deleted token did it.
    let deleted = "owner (a deleted token)";
    assert_eq!(
        owner.token(child.token.id).await.created_by.as_deref(),
        Some(deleted)
    );
    assert_eq!(
        owner.token(revoked.token.id).await.revoked_by.as_deref(),
        Some(deleted)
    );
    for (id, kind) in [
        (child.token.id, "created"),
        (revoked.token.id, "revoked"),
        (moved.token.id, "reassigned"),
        (rotated.token.id, "rotated"),
    ] {
        let history = owner.history(id).await;
        let event = history
            .iter()
            .find(|e| serde_json::to_value(e.kind).unwrap() == kind)
            .unwrap_or_else(|| panic!("{kind} in {history:?}"));
        assert_eq!(event.actor.as_deref(), Some(deleted), "{kind}: {event:?}");
        assert_eq!(event.actor_kind, Some(ActorKind::Token));
        assert!(!format!("{history:?}").contains(NAME), "{history:?}");
    }
    let audit: AuditList = owner.get_json("/api/audit?limit=200").await;
    let by_tokens: Vec<_> = audit
        .items
        .iter()
        .filter(|e| e.actor_kind == Some(ActorKind::Token))
        .collect();
    assert!(by_tokens.len() >= 4, "{by_tokens:?}");
    assert!(by_tokens.iter().all(|e| e.actor_token.is_none()));
    assert!(!format!("{:?}", audit.items).contains(NAME));
    let agents: Value = owner.get_json("/api/agents").await;
    assert!(!agents.to_string().contains(NAME), "{agents}");

    // And no table holds its id, its name, its secret or its hash: searched by SQL, every
    // column of every row.
    let id = parent.token.id.to_string();
    let hash = shared::token::sha256_hex(parent.secret.as_bytes());
    let everything = server.every_row();
    for needle in [id.as_str(), NAME, parent.secret.as_str(), hash.as_str()] {
        let found: Vec<&String> = everything
            .iter()
            .filter(|row| row.contains(needle))
            .collect();
        assert!(found.is_empty(), "{needle} is still in {found:?}");
    }
    let last4 = &parent.secret[parent.secret.len() - 4..];
    let hint = server.sql(&format!(
        "SELECT COUNT(*) AS n FROM tokens WHERE last4 = '{last4}'"
    ));
    assert_eq!(hint[0]["n"], 0, "its hint");
}
