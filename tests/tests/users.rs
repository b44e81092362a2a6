//! The users API and what its changes do to tokens and sessions (SPEC 4).

use reqwest::StatusCode;
use serde_json::json;
use shared::api::{User, UserList};
use tests::actors::login;
use tests::answers::error_code as code;
use tests::answers::expect_error;
use tests::{TestServer, PASSWORD};

#[tokio::test]
async fn owner_creates_lists_and_users_cannot_share_a_username() {
    let (_server, owner) = TestServer::with_owner().await;
    let created = owner
        .post("/api/users", &json!({"username": "ada", "password": PASSWORD, "role": "administrator", "displayName": "Ada L."}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let ada: User = created.json().await.unwrap();
    assert_eq!((ada.display_name.as_str(), ada.disabled), ("Ada L.", false));

    let dup = owner
        .post(
            "/api/users",
            &json!({"username": "ADA", "password": PASSWORD, "role": "viewer"}),
        )
        .await;
    expect_error(dup, StatusCode::CONFLICT, "username_taken").await;
    for bad in [
        json!({"username": "", "password": PASSWORD, "role": "viewer"}),
        json!({"username": "bob", "password": "short", "role": "viewer"}),
        json!({"username": "bob", "password": PASSWORD, "role": "superuser"}),
        json!({"username": "bob", "password": PASSWORD, "role": "viewer", "admin": true}),
    ] {
        assert_eq!(
            owner.post("/api/users", &bad).await.status(),
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let list: UserList = owner.get_json("/api/users").await;
    let names: Vec<_> = list.items.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, vec!["ada", "owner"]);
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_their_tokens_fail_until_re_enabled() {
    let (server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("maya", "manager").await;
    let script = manager.token_actor("maya script", "tokens:read").await;
    assert_eq!(script.get("/api/tokens").await.status(), StatusCode::OK);
    let id = manager.user_id().to_owned();

    let disabled = owner
        .patch(&format!("/api/users/{id}"), &json!({"disabled": true}))
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_eq!(disabled.json::<User>().await.unwrap().disabled, true);

    expect_error(
        script.get("/api/tokens").await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_eq!(
        code(manager.get("/api/tokens").await).await.0,
        StatusCode::UNAUTHORIZED,
        "their session ended"
    );
    let signin = server
        .send(
            server
                .http()
                .post(server.url("/api/auth/login"))
                .json(&json!({"username": "maya", "password": PASSWORD})),
        )
        .await;
    expect_error(signin, StatusCode::FORBIDDEN, "account_disabled").await;

    let enabled = owner
        .patch(&format!("/api/users/{id}"), &json!({"disabled": false}))
        .await;
    assert_eq!(enabled.status(), StatusCode::OK);
    assert_eq!(
        script.get("/api/tokens").await.status(),
        StatusCode::OK,
        "the token works again"
    );
    login(server.base(), server.http(), "maya").await;
}

#[tokio::test]
async fn demotion_to_viewer_revokes_active_tokens_and_they_stay_revoked() {
    let (_server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("vic", "manager").await;
    let created = manager.create_token(json!({"name": "vic agents"})).await;
    let script = manager.token_actor("vic script", "tokens:read").await;
    let id = manager.user_id().to_owned();

    let demoted = owner
        .patch(&format!("/api/users/{id}"), &json!({"role": "viewer"}))
        .await;
    assert_eq!(demoted.status(), StatusCode::OK);
    let revoked = owner.token(created.token.id).await;
    assert_eq!(revoked.status, shared::TokenStatus::Revoked);
    assert_eq!(revoked.revoked_by.as_deref(), Some("owner"));
    assert!(revoked.revoked_at.is_some());
    let refused = script.get("/api/tokens").await;
    assert_eq!(
        tests::answers::token_refusal(refused).await,
        "Token revoked"
    );

    // Promotion does not bring revoked tokens back: revocation is irreversible.
    owner
        .patch(&format!("/api/users/{id}"), &json!({"role": "manager"}))
        .await;
    assert_eq!(
        owner.token(created.token.id).await.status,
        shared::TokenStatus::Revoked
    );
    // And as a Viewer, the session can no longer manage tokens at all.
    owner
        .patch(&format!("/api/users/{id}"), &json!({"role": "viewer"}))
        .await;
    expect_error(
        manager.get("/api/tokens").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn deleting_a_user_deletes_their_tokens() {
    let (_server, owner) = TestServer::with_owner().await;
    let kept = owner.create_token(json!({"name": "owner's"})).await;
    let manager = owner.create_user("del", "manager").await;
    manager.create_token(json!({"name": "del's 1"})).await;
    let script = manager.token_actor("del's 2", "tokens:read").await;

    let response = owner
        .delete(&format!("/api/users/{}", manager.user_id()))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let list: shared::api::TokenList = owner.get_json("/api/tokens").await;
    assert_eq!(
        list.items.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
        vec![kept.token.id]
    );
    let message = expect_error(
        script.get("/api/tokens").await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_eq!(message, "Invalid token");
    assert_eq!(
        manager.get("/api/auth/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = owner
        .delete(&format!("/api/users/{}", manager.user_id()))
        .await;
    expect_error(again, StatusCode::NOT_FOUND, "user_not_found").await;
}

#[tokio::test]
async fn nobody_can_delete_demote_or_disable_the_last_owner() {
    let (_server, owner) = TestServer::with_owner().await;
    let me = format!("/api/users/{}", owner.user_id());
    for change in [
        json!({"role": "administrator"}),
        json!({"role": "viewer"}),
        json!({"disabled": true}),
    ] {
        assert_eq!(
            code(owner.patch(&me, &change).await).await,
            (StatusCode::CONFLICT, "last_owner".into()),
            "{change}"
        );
    }
    expect_error(owner.delete(&me).await, StatusCode::CONFLICT, "last_owner").await;

    // An Administrator may not touch an Owner, nor make one.
    let admin = owner.create_user("root2", "administrator").await;
    expect_error(admin.delete(&me).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(
        code(admin.patch(&me, &json!({"disabled": true})).await)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let own_promotion = admin
        .patch(
            &format!("/api/users/{}", admin.user_id()),
            &json!({"role": "owner"}),
        )
        .await;
    assert_eq!(code(own_promotion).await.0, StatusCode::FORBIDDEN);
    let new_owner = admin
        .post(
            "/api/users",
            &json!({"username": "o2", "password": PASSWORD, "role": "owner"}),
        )
        .await;
    assert_eq!(code(new_owner).await.0, StatusCode::FORBIDDEN);

    // The Owner steps down only by handing ownership over; the new Owner is then the one
    // nobody can delete, and the former one is an Administrator like any other.
    let heir = owner.create_user("second", "administrator").await;
    let transferred = owner
        .post(
            &format!("/api/users/{}/transfer-ownership", heir.user_id()),
            &json!({}),
        )
        .await;
    assert_eq!(transferred.status(), StatusCode::OK);
    let last = format!("/api/users/{}", heir.user_id());
    expect_error(heir.delete(&last).await, StatusCode::CONFLICT, "last_owner").await;
    assert_eq!(
        code(owner.delete(&last).await).await,
        (StatusCode::FORBIDDEN, "forbidden".into()),
        "the former Owner may not touch the new one"
    );
    assert_eq!(
        heir.patch(&me, &json!({"role": "manager"})).await.status(),
        StatusCode::OK
    );
    let list: UserList = heir.get_json("/api/users").await;
    assert_eq!(list.items.len(), 3, "nothing was deleted");
}

#[tokio::test]
async fn malformed_user_requests_are_4xx() {
    let (_server, owner) = TestServer::with_owner().await;
    assert_eq!(
        code(
            owner
                .patch("/api/users/not-a-uuid", &json!({"role": "viewer"}))
                .await
        )
        .await,
        (StatusCode::BAD_REQUEST, "invalid_id".into())
    );
    let unknown = owner
        .patch(
            "/api/users/6f1e2d3c-4b5a-4d3b-9a5c-1b4e28ba2fa1",
            &json!({"role": "viewer"}),
        )
        .await;
    expect_error(unknown, StatusCode::NOT_FOUND, "user_not_found").await;
    let me = format!("/api/users/{}", owner.user_id());
    assert_eq!(
        owner.patch(&me, &json!({})).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        owner.patch(&me, &json!({"disabled": "yes"})).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        owner.patch(&me, &json!({"password": "x"})).await.status(),
        StatusCode::BAD_REQUEST
    );
}
