//! Changing one's own password and an administrator setting someone else's. Each
//! rule is tried the way it would be broken: the old password and the other sessions after a
//! change, a stolen session guessing the current password, and resets across the role rules.

use reqwest::StatusCode;
use serde_json::json;
use tests::actors::login;
use tests::answers::expect_error;
use tests::{Actor, TestServer, PASSWORD};

const NEW: &str = "a new and longer passphrase";

async fn change(actor: &Actor, current: &str, new: &str) -> reqwest::Response {
    actor
        .post(
            "/api/auth/password",
            &json!({"currentPassword": current, "newPassword": new}),
        )
        .await
}

async fn signs_in(server: &TestServer, username: &str, password: &str) -> StatusCode {
    server.login_attempt(username, password).await.status()
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_retires_the_old_password() {
    let (server, _owner) = TestServer::with_owner().await;
    let here = login(server.base(), server.http(), "owner").await;
    let elsewhere = login(server.base(), server.http(), "owner").await;

    assert_eq!(
        change(&here, PASSWORD, NEW).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        here.get("/api/auth/me").await.status(),
        StatusCode::OK,
        "this session stays"
    );
    expect_error(
        elsewhere.get("/api/auth/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    assert_eq!(
        signs_in(&server, "owner", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(signs_in(&server, "owner", NEW).await, StatusCode::OK);
}

#[tokio::test]
async fn a_stolen_session_cannot_guess_the_current_password() {
    let (server, owner) = TestServer::with_owner().await;
    let mut answers = Vec::new();
    for i in 0..6 {
        let response = change(&owner, &format!("guess number {i}"), NEW).await;
        answers.push(response.status().as_u16());
    }
    // Five wrong guesses, then the account's own limit on password checks holds.
    assert_eq!(answers, [403, 403, 403, 403, 403, 429]);
    let right = change(&owner, PASSWORD, NEW).await;
    let said = expect_error(right, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    assert!(
        said.starts_with("too many password checks for this account"),
        "{said}"
    );
    // Its count is not sign-in's: the user still signs in (nothing changed, the old password
    // is still the one), and signing in does not reset it for the thief.
    assert_eq!(
        signs_in(&server, "owner", NEW).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(signs_in(&server, "owner", PASSWORD).await, StatusCode::OK);
    expect_error(
        change(&owner, PASSWORD, NEW).await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    )
    .await;
    // Once the window has passed, the right password changes it.
    server.sql("DELETE FROM password_check_failures");
    assert_eq!(
        change(&owner, PASSWORD, NEW).await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn failed_sign_ins_do_not_block_changing_ones_password() {
    let (server, owner) = TestServer::with_owner().await;
    for _ in 0..5 {
        assert_eq!(
            signs_in(&server, "owner", "not the password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        signs_in(&server, "owner", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        change(&owner, PASSWORD, NEW).await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_wrong_current_or_weak_new_password_changes_nothing() {
    let (server, owner) = TestServer::with_owner().await;
    expect_error(
        change(&owner, "not the password", NEW).await,
        StatusCode::FORBIDDEN,
        "wrong_password",
    )
    .await;
    let weak = expect_error(
        change(&owner, PASSWORD, "short").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    )
    .await;
    assert!(weak.contains("at least 10"), "{weak}");
    assert_eq!(signs_in(&server, "owner", PASSWORD).await, StatusCode::OK);
}

#[tokio::test]
async fn an_administrator_resets_a_password_and_every_session_of_that_user_ends() {
    let (server, owner) = TestServer::with_owner().await;
    let admin = owner.create_user("ada", "administrator").await;
    let mia = owner.create_user("mia", "manager").await;
    let mia_elsewhere = login(server.base(), server.http(), "mia").await;

    let path = format!("/api/users/{}/password", mia.user_id());
    // `password` is the name earlier releases took; SPEC 9's `newPassword` is the one below.
    assert_eq!(
        admin.post(&path, &json!({"password": NEW})).await.status(),
        StatusCode::NO_CONTENT
    );
    for session in [&mia, &mia_elsewhere] {
        expect_error(
            session.get("/api/auth/me").await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await;
    }
    assert_eq!(
        signs_in(&server, "mia", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(signs_in(&server, "mia", NEW).await, StatusCode::OK);
}

#[tokio::test]
async fn resets_stay_within_the_role_rules() {
    let (server, owner) = TestServer::with_owner().await;
    let admin = owner.create_user("ada", "administrator").await;
    let other_admin = owner.create_user("ben", "administrator").await;
    let manager = owner.create_user("mia", "manager").await;
    let viewer = owner.create_user("vic", "viewer").await;
    let reset = |actor: &Actor, id: String| {
        let actor = actor.clone();
        async move {
            actor
                .post(
                    &format!("/api/users/{id}/password"),
                    &json!({"newPassword": NEW}),
                )
                .await
        }
    };

    // An Administrator cannot take over the Owner's account, nor a fellow Administrator's
    // (signing in as them without trace), nor their own without the current password; a
    // Manager resets nobody; an unknown user is 404.
    let peer = expect_error(
        reset(&admin, other_admin.user_id().to_string()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(
        peer.contains("only the Owner resets an Administrator's"),
        "{peer}"
    );
    expect_error(
        reset(&admin, owner.user_id().to_string()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        reset(&admin, admin.user_id().to_string()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        reset(&manager, viewer.user_id().to_string()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        reset(&admin, "6f1e2d3c-4b5a-4d3b-9a5c-1b4e28ba2fa1".into()).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    )
    .await;
    // An API token with users:* cannot either: setting a password is a person's act.
    let token = owner.token_actor("owner users", "users:*").await;
    expect_error(
        reset(&token, viewer.user_id().to_string()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        change(&token, PASSWORD, NEW).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    for (username, _) in [
        ("owner", &owner),
        ("ada", &admin),
        ("ben", &other_admin),
        ("vic", &viewer),
    ] {
        assert_eq!(
            signs_in(&server, username, PASSWORD).await,
            StatusCode::OK,
            "{username} unchanged"
        );
    }
    // The Owner may reset an Administrator's.
    assert_eq!(
        reset(&owner, other_admin.user_id().to_string())
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(signs_in(&server, "ben", NEW).await, StatusCode::OK);
}
