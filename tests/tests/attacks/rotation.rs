//! Rotation hands the caller a working secret: nobody may take one for more than they can do
//! themselves (`shared::roles::may_rotate`), and two rotations never both win.

use super::{expect_error, now_ms};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::api::EventKind;
use tests::{Telegraf, TestServer};

fn beat(id: &str) -> Value {
    json!({"id": id, "version": "Telegraf 1.39.0"})
}

#[tokio::test]
async fn nobody_takes_a_secret_for_more_than_they_may_do() {
    let (server, owner) = TestServer::with_owner().await;
    let owners_token = owner.agent_token("owner's agents").await;
    let admin = owner.create_user("admin", "administrator").await;
    let manager = owner.create_user("manager", "manager").await;
    // An Administrator sees the Owner's token but cannot hold its secret.
    let refused = admin
        .post(
            &format!("/api/tokens/{}/rotate", owners_token.token.id),
            &json!({"overlap": "PT0S"}),
        )
        .await;
    let message = expect_error(refused, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(message.contains("do more than you may"), "{message}");
    // A Manager does not even see it.
    let hidden = manager
        .post(
            &format!("/api/tokens/{}/rotate", owners_token.token.id),
            &json!({}),
        )
        .await;
    expect_error(hidden, StatusCode::NOT_FOUND, "token_not_found").await;
    // A token that may write tokens but acts narrower than its target.
    let narrow = owner.token_actor("narrow", "tokens:*").await;
    let wide = owner
        .create_token(json!({"name": "wide", "preset": "full-access"}))
        .await;
    let refused = narrow
        .post(&format!("/api/tokens/{}/rotate", wide.token.id), &json!({}))
        .await;
    expect_error(refused, StatusCode::FORBIDDEN, "forbidden").await;
    // Nothing changed: the Owner's secret still works, and no rotation is recorded.
    let agent = Telegraf::new(&server, &owners_token.secret);
    assert_eq!(
        agent.heartbeat(&beat("a1")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(owner
        .history(owners_token.token.id)
        .await
        .iter()
        .all(|e| e.kind != EventKind::Rotated));
    // Bad overlaps and finished tokens.
    for overlap in ["P8D", "1h", "P1M", "PT-1H", ""] {
        let r = owner
            .post(
                &format!("/api/tokens/{}/rotate", owners_token.token.id),
                &json!({"overlap": overlap}),
            )
            .await;
        expect_error(r, StatusCode::BAD_REQUEST, "invalid_request").await;
    }
    let r = owner
        .post(
            &format!("/api/tokens/{}/rotate", owners_token.token.id),
            &json!({"overlap": "PT1H", "extra": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    owner.revoke(wide.token.id).await;
    let r = owner
        .post(&format!("/api/tokens/{}/rotate", wide.token.id), &json!({}))
        .await;
    expect_error(r, StatusCode::CONFLICT, "not_rotatable").await;
}

#[tokio::test]
async fn a_token_cannot_rotate_one_that_outlives_it() {
    let (_server, owner) = TestServer::with_owner().await;
    let forever = owner.agent_token("forever").await;
    let in_a_day = shared::time::rfc3339_from_millis(now_ms() + 86_400_000).unwrap();
    let short = owner
        .create_token(
            json!({"name": "short-lived admin", "preset": "full-access", "expiresAt": in_a_day}),
        )
        .await;
    let holder = owner.holding(&short.secret);
    let r = holder
        .post(
            &format!("/api/tokens/{}/rotate", forever.token.id),
            &json!({}),
        )
        .await;
    let message = expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(message.contains("expires before"), "{message}");
}

#[tokio::test]
async fn two_rotations_at_once_never_both_win() {
    let (server, owner) = TestServer::with_owner().await;
    let created = owner.agent_token("raced").await;
    let path = format!("/api/tokens/{}/rotate", created.token.id);
    let body = json!({"overlap": "PT1H"});
    let (a, b) = tokio::join!(owner.post(&path, &body), owner.post(&path, &body));
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    let winner = if a.status() == StatusCode::OK { a } else { b };
    // Either the second saw the first's write (409), or D1 ran them one after the other and
    // both applied in turn; never a lost update that leaves a secret nobody holds.
    let created_secret = created.secret.clone();
    let won: shared::api::CreatedToken = winner.json().await.unwrap();
    let new = Telegraf::new(&server, &won.secret);
    assert_eq!(
        new.heartbeat(&beat("a")).await.status(),
        StatusCode::NO_CONTENT
    );
    let rotations = owner
        .history(created.token.id)
        .await
        .iter()
        .filter(|e| e.kind == EventKind::Rotated)
        .count();
    match statuses {
        [StatusCode::OK, StatusCode::CONFLICT] => {
            assert_eq!(rotations, 1);
            let old = Telegraf::new(&server, &created_secret);
            assert_eq!(
                old.heartbeat(&beat("b")).await.status(),
                StatusCode::NO_CONTENT,
                "the original is the previous secret"
            );
        }
        [StatusCode::OK, StatusCode::OK] => assert_eq!(rotations, 2),
        other => panic!("{other:?}"),
    }
}

/// Hole 1 of round 2: the secret a rotation replaced rotated its own token (200, a new
/// Owner-powered secret, the rightful holder's new secret refused as revoked) and minted a
/// child that never expires. During its overlap it is an agent credential and nothing more.
#[tokio::test]
async fn a_replaced_secret_only_downloads_and_beats_until_its_overlap_ends() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("edge", "[agent]\n").await;
    let wide = owner
        .create_token(json!({"name": "wide", "preset": "full-access"}))
        .await;
    let path = format!("/api/tokens/{}/rotate", wide.token.id);
    let rotated = owner.rotate(wide.token.id, "PT1H").await;
    let old = owner.holding(&wide.secret);
    let replaced = shared::roles::model::SECRET_REPLACED;
    // It cannot take the token over…
    let takeover = old.post(&path, &json!({"overlap": "PT0S"})).await;
    assert_eq!(tests::answers::token_refusal(takeover).await, replaced);
    // …mint a child that outlives the overlap, or do anything else its token could.
    let child = old
        .post(
            "/api/tokens",
            &json!({"name": "forever", "preset": "full-access"}),
        )
        .await;
    assert_eq!(tests::answers::token_refusal(child).await, replaced);
    for path in ["/api/users", "/api/tokens", "/api/auth/me", "/api/audit"] {
        let answer = old.get(path).await;
        assert_eq!(
            tests::answers::token_refusal(answer).await,
            replaced,
            "{path}"
        );
    }
    // What it is kept for still works: download, its HEAD, heartbeat.
    let agent = Telegraf::new(&server, &wide.secret);
    assert_eq!(agent.fetch(config.id).await.status(), StatusCode::OK);
    assert_eq!(agent.poll(config.id).await.status(), StatusCode::OK);
    assert_eq!(
        agent.heartbeat(&beat("old")).await.status(),
        StatusCode::NO_CONTENT
    );
    // The rightful holder's new secret is untouched, and there was one rotation, the Owner's.
    let new = owner.holding(&rotated.secret);
    assert_eq!(new.get("/api/users").await.status(), StatusCode::OK);
    let rotations = owner
        .history(wide.token.id)
        .await
        .iter()
        .filter(|e| e.kind == EventKind::Rotated)
        .count();
    assert_eq!(rotations, 1);
    assert!(owner.all_tokens().await.iter().all(|t| t.name != "forever"));
}

/// Hole 2 of round 2: an Administrator's full-access token, reassigned to a Manager, rotated
/// by the Manager (who then holds a secret acting as Manager), taken back by an Administrator:
/// the Manager's secret read the users and created an Administrator. Whoever receives a
/// working secret caps the token at their role, and a reassign never lifts it.
#[tokio::test]
async fn a_reassign_never_raises_what_a_lower_roles_secret_can_do() {
    let (_server, owner) = TestServer::with_owner().await;
    let admin = owner.create_user("ada", "administrator").await;
    let manager = owner.create_user("mia", "manager").await;
    let token = admin
        .create_token(json!({"name": "ada's", "preset": "full-access"}))
        .await;
    let handed = admin.reassign(token.token.id, manager.user_id()).await;
    assert_eq!(handed.status(), StatusCode::OK);
    let rotated = manager.rotate(token.token.id, "PT0S").await;
    let back = admin.reassign(token.token.id, admin.user_id()).await;
    assert_eq!(back.status(), StatusCode::OK);
    let mias = manager.holding(&rotated.secret);
    expect_error(
        mias.get("/api/users").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let made = mias
        .post(
            "/api/users",
            &json!({"username": "mole", "password": tests::PASSWORD, "role": "administrator"}),
        )
        .await;
    expect_error(made, StatusCode::FORBIDDEN, "forbidden").await;
    let now = owner.token(token.token.id).await;
    assert_eq!(now.acting_role, Some(shared::roles::Role::Manager));
    let rotation = owner
        .history(token.token.id)
        .await
        .into_iter()
        .find(|e| e.kind == EventKind::Rotated)
        .expect("rotated");
    assert!(
        rotation
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("at most Manager"),
        "{rotation:?}"
    );
}

/// Hole 3 of round 2: a pre-shared value could equal another token's previous secret (only
/// current secrets were unique): a Manager registered the Owner's old secret as a decoy, the
/// lookup then matched two rows, and rotating the decoy answered 500.
#[tokio::test]
async fn a_previous_secret_cannot_be_registered_as_another_token() {
    let (server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("mia", "manager").await;
    let owners = owner.agent_token("owner's agents").await;
    let rotated = owner.rotate(owners.token.id, "PT1H").await;
    for (name, value) in [("old", &owners.secret), ("new", &rotated.secret)] {
        let decoy = manager
            .post(
                "/api/tokens",
                &json!({"name": format!("decoy {name}"), "rawToken": value}),
            )
            .await;
        expect_error(decoy, StatusCode::CONFLICT, "token_value_conflict").await;
    }
    assert_eq!(
        manager.tokens("").await.items.len(),
        0,
        "no decoy was stored"
    );
    // The old secret still finds exactly the Owner's token, and a second rotation works.
    let agent = Telegraf::new(&server, &owners.secret);
    assert_eq!(
        agent.heartbeat(&beat("on-old")).await.status(),
        StatusCode::NO_CONTENT
    );
    owner.rotate(owners.token.id, "PT0S").await;
}
