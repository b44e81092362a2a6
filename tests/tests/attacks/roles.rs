//! Holes 1, 8 and 9: an Administrator becoming Owner, races around the Owner, and exactly one
//! Owner that only the Owner can hand over.

use super::expect_error;
use reqwest::StatusCode;
use serde_json::json;
use shared::api::CreatedToken;
use shared::api::User;
use tests::{Actor, TestServer, PASSWORD};

// Hole 1: an Administrator hands a powerful token to the Owner, then uses it as the Owner.

/// An Owner, an Administrator, and a token of the Administrator's with every users and tokens
/// permission: the attacker's starting position.
async fn administrator_with_escalator(server: &TestServer) -> (Actor, Actor, CreatedToken) {
    let owner = server.owner().await;
    let admin = owner.create_user("ada", "administrator").await;
    let created = admin
        .create_token(json!({"name": "escalator", "permissions": "users:*,tokens:*"}))
        .await;
    (owner, admin, created)
}

#[tokio::test]
async fn an_administrator_cannot_hand_a_token_to_the_owner() {
    let server = TestServer::start().await;
    let (owner, admin, created) = administrator_with_escalator(&server).await;
    let id = created.token.id.clone();

    let single = admin.reassign(id, owner.user_id()).await;
    expect_error(single, StatusCode::FORBIDDEN, "forbidden").await;
    let bulk = admin
        .post(
            "/api/tokens/bulk-reassign",
            &json!({"ids": [id], "userId": owner.user_id()}),
        )
        .await;
    expect_error(bulk, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(
        owner.token(id).await.owner_id,
        Some(admin.user_id()),
        "the token stayed with the Administrator"
    );
}

#[tokio::test]
async fn a_token_never_acts_above_the_role_of_its_creator() {
    let server = TestServer::start().await;
    let (owner, admin, created) = administrator_with_escalator(&server).await;
    // Even when the Owner takes the token over (which the Owner may), it keeps its creator's
    // ceiling: it acts as an Administrator at most.
    let taken = owner.reassign(created.token.id, owner.user_id()).await;
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
    assert_eq!(owner.user_roles().await, "ada=administrator owner=owner");

    // What it does is recorded under the token, not under the Owner's bare name.
    let victim = owner.create_token(json!({"name": "victim"})).await;
    let revoked = escalator
        .post(
            &format!("/api/tokens/{}/revoke", victim.token.id),
            &json!({}),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let by = owner.token(victim.token.id).await.revoked_by.unwrap();
    assert!(by.contains("escalator"), "revoked by {by:?}");
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
        let all = current.users().await;
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
    let (_server, owner) = TestServer::with_owner().await;
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
    assert_eq!(owner.user_roles().await, "heir=owner owner=administrator");
    // The former Owner's token now acts as an Administrator at most.
    let demote_heir = owners_token
        .patch(&heir_path, &json!({"role": "manager"}))
        .await;
    assert_eq!(demote_heir.status(), StatusCode::FORBIDDEN);
}
