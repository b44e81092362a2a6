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
