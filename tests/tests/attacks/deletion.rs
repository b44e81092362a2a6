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

/// Names stored before references existed become references: a token's name in
/// `user (token "name")`, usernames, the bootstrap token's names, the system's own; agent
/// events keep their address; a child's detail loses its parent's name.
#[tokio::test]
async fn names_stored_before_references_become_references() {
    const ADA: &str = "00000000-0000-4000-8000-0000000000a1";
    let token = |id: u32, name: &str, source: &str, by: &str, revoked: &str| {
        format!(
            "('00000000-0000-4000-8000-00000000000{id}', '{name}', '{hash}', '000{id}', \
             'configs:read', '{source}', 1000, 'ada-id', {by}, {revoked}, 'owner')",
            hash = format!("{id}").repeat(64),
        )
        .replace("'ada-id'", &format!("'{ADA}'"))
    };
    let seed = format!(
        "INSERT INTO users (id, username, display_name, role, disabled, password_hash, password_salt, \
         password_iterations, created_at) VALUES ('{ADA}', 'ada', 'Ada', 'owner', 0, 'h', 's', 1, 1); \
         INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, owner_id, \
         created_by, revoked_by, ceiling_role) VALUES {}, {}, {}, {}, {}; \
         INSERT INTO token_events (token_id, at, kind, actor, detail) VALUES \
         ('00000000-0000-4000-8000-000000000002', 1, 'created', 'ada (token \"parent\")', \
          'with the token \"parent\"; its expiry is capped at that token''s'), \
         ('00000000-0000-4000-8000-000000000002', 2, 'usage', '192.0.2.7', 'Telegraf/1.39.0'), \
         ('00000000-0000-4000-8000-000000000003', 3, 'revoked', 'OWNER_TOKEN change', NULL)",
        token(1, "parent", "user", "'ada'", "NULL"),
        token(2, "child", "user", "'ada (token \"parent\")'", "'secret scanning'"),
        token(3, "bootstrap-token", "bootstrap", "NULL", "'OWNER_TOKEN change'"),
        token(4, "by bootstrap", "user", "'bootstrap-token'", "'someone gone'"),
        token(5, "plain", "user", "NULL", "NULL"),
    );
    let server = TestServer::builder()
        .seed_before_migration(10, &seed)
        .start()
        .await;
    let rows = server.sql(
        "SELECT name, created_by_kind AS ck, created_by_user AS cu, created_by_token AS ct, \
         revoked_by_kind AS rk, revoked_by_user AS ru FROM tokens ORDER BY name",
    );
    let id = |n: u32| format!("00000000-0000-4000-8000-00000000000{n}");
    assert_eq!(
        rows,
        vec![
            json!({"name": "bootstrap-token", "ck": null, "cu": null, "ct": null, "rk": "system", "ru": null}),
            json!({"name": "by bootstrap", "ck": "bootstrap_token", "cu": null, "ct": id(3), "rk": "user", "ru": null}),
            json!({"name": "child", "ck": "token", "cu": ADA, "ct": id(1), "rk": "secret_scanning", "ru": null}),
            json!({"name": "parent", "ck": "user", "cu": ADA, "ct": null, "rk": null, "ru": null}),
            json!({"name": "plain", "ck": null, "cu": null, "ct": null, "rk": null, "ru": null}),
        ]
    );
    let events = server.sql(
        "SELECT kind, address, actor_kind AS k, actor_token AS t, detail FROM token_events ORDER BY at",
    );
    assert_eq!(
        events,
        vec![
            json!({"kind": "created", "address": null, "k": "token", "t": id(1),
                   "detail": "its expiry is capped at that of the token that created it"}),
            json!({"kind": "usage", "address": "192.0.2.7", "k": null, "t": null, "detail": "Telegraf/1.39.0"}),
            json!({"kind": "revoked", "address": null, "k": "system", "t": null, "detail": null}),
        ]
    );
    // The references empty themselves when what they point at goes.
    server.sql(&format!("DELETE FROM tokens WHERE id = '{}'", id(1)));
    let child = server.sql("SELECT created_by_token AS t FROM tokens WHERE name = 'child'");
    assert_eq!(child, vec![json!({"t": null})]);
}
