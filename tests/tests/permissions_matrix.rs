//! Every endpoint, called by every kind of caller: each role's session and API tokens with
//! limited permissions. The table below is the whole contract of SPEC 4 and 8 for access.

use reqwest::StatusCode;
use serde_json::json;
use shared::permissions::Permissions;
use shared::routes::{Access, Endpoint, ROUTES};
use shared::TokenId;
use std::collections::HashSet;
use tests::actors::login;
use tests::{Actor, TestServer, PASSWORD};

/// The endpoints that need credentials, in the order they are exercised (logout last, since
/// it ends a session).
const ENDPOINTS: [Endpoint; 31] = [
    Endpoint::ListConfigs,
    Endpoint::CreateConfig,
    Endpoint::GetConfig,
    Endpoint::UpdateConfig,
    Endpoint::DeleteConfig,
    Endpoint::ConfigToml,
    Endpoint::ListAgents,
    Endpoint::Heartbeat,
    Endpoint::Me,
    Endpoint::ListUsers,
    Endpoint::CreateUser,
    Endpoint::UpdateUser,
    Endpoint::DeleteUser,
    Endpoint::ListTokens,
    Endpoint::CreateToken,
    Endpoint::TokenCapabilities,
    Endpoint::GetToken,
    Endpoint::TokenHistory,
    Endpoint::RevokeToken,
    Endpoint::ReassignToken,
    Endpoint::DeleteToken,
    Endpoint::RotateToken,
    Endpoint::BulkRevokeTokens,
    Endpoint::BulkReassignTokens,
    Endpoint::BulkDeleteTokens,
    Endpoint::ListAudit,
    Endpoint::VerifyAudit,
    Endpoint::ChangePassword,
    Endpoint::SetPassword,
    Endpoint::TransferOwnership,
    Endpoint::Logout,
];

/// A fresh token of the Owner's for call number `n` to act on.
async fn target(owner: &Actor, n: usize) -> TokenId {
    owner
        .create_token(json!({ "name": format!("target {n}") }))
        .await
        .token
        .id
}

/// Calls one endpoint as `actor`, with fresh targets made by the Owner, and returns the status.
async fn call(endpoint: Endpoint, actor: &Actor, owner: &Actor, n: usize) -> StatusCode {
    let response = match endpoint {
        Endpoint::Me => actor.get("/api/auth/me").await,
        Endpoint::ListUsers => actor.get("/api/users").await,
        Endpoint::CreateUser => actor
            .post(
                "/api/users",
                &json!({"username": format!("made{n}"), "password": PASSWORD, "role": "viewer"}),
            )
            .await,
        Endpoint::UpdateUser => {
            let target = owner.create_user(&format!("upd{n}"), "manager").await;
            actor
                .patch(
                    &format!("/api/users/{}", target.user_id()),
                    &json!({"disabled": false}),
                )
                .await
        }
        Endpoint::DeleteUser => {
            let target = owner.create_user(&format!("del{n}"), "viewer").await;
            actor
                .delete(&format!("/api/users/{}", target.user_id()))
                .await
        }
        Endpoint::ListTokens => actor.get("/api/tokens").await,
        Endpoint::CreateToken => {
            actor
                .post(
                    "/api/tokens",
                    &json!({"name": format!("created {n}"), "permissions": "tokens:read"}),
                )
                .await
        }
        Endpoint::RevokeToken => {
            let path = format!("/api/tokens/{}/revoke", target(owner, n).await);
            actor.post(&path, &json!({})).await
        }
        Endpoint::DeleteToken => {
            let path = format!("/api/tokens/{}", target(owner, n).await);
            actor.delete(&path).await
        }
        Endpoint::TokenCapabilities => actor.get("/api/tokens/capabilities").await,
        Endpoint::GetToken => {
            let path = format!("/api/tokens/{}", target(owner, n).await);
            actor.get(&path).await
        }
        Endpoint::TokenHistory => {
            let path = format!("/api/tokens/{}/history", target(owner, n).await);
            actor.get(&path).await
        }
        Endpoint::ReassignToken => {
            let path = format!("/api/tokens/{}/reassign", target(owner, n).await);
            let to = owner.create_user(&format!("mover{n}"), "manager").await;
            actor.post(&path, &json!({"userId": to.user_id()})).await
        }
        Endpoint::BulkDeleteTokens | Endpoint::BulkRevokeTokens => {
            let path = if endpoint == Endpoint::BulkDeleteTokens {
                "/api/tokens/bulk-delete"
            } else {
                "/api/tokens/bulk-revoke"
            };
            actor
                .post(path, &json!({"ids": [target(owner, n).await]}))
                .await
        }
        Endpoint::BulkReassignTokens => {
            let ids = [target(owner, n).await];
            let to = owner.create_user(&format!("bulkmover{n}"), "manager").await;
            let body = json!({"ids": ids, "userId": to.user_id()});
            actor.post("/api/tokens/bulk-reassign", &body).await
        }
        Endpoint::ListConfigs => actor.get("/api/configs").await,
        Endpoint::CreateConfig => actor
            .post(
                "/api/configs",
                &json!({"name": format!("config {n}"), "toml": "[agent]\ninterval = \"10s\"\n"}),
            )
            .await,
        Endpoint::GetConfig
        | Endpoint::UpdateConfig
        | Endpoint::DeleteConfig
        | Endpoint::ConfigToml => {
            let created = owner
                .post(
                    "/api/configs",
                    &json!({"name": format!("target {n}"), "toml": "a = 1"}),
                )
                .await;
            let id = created.json::<serde_json::Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned();
            match endpoint {
                Endpoint::GetConfig => actor.get(&format!("/api/configs/{id}")).await,
                Endpoint::UpdateConfig => {
                    let request = actor
                        .request(reqwest::Method::PUT, &format!("/api/configs/{id}"))
                        .json(&json!({"name": format!("renamed {n}"), "toml": "a = 2"}));
                    actor.send(request).await
                }
                Endpoint::DeleteConfig => actor.delete(&format!("/api/configs/{id}")).await,
                _ => actor.get(&format!("/api/configs/{id}/toml")).await,
            }
        }
        Endpoint::ListAgents => actor.get("/api/agents").await,
        Endpoint::Heartbeat => {
            let beat = json!({"id": format!("agent-{n}"), "version": "Telegraf 1.39.0"});
            actor.post("/agents/heartbeat", &beat).await
        }
        Endpoint::TransferOwnership => {
            let heir = owner
                .create_user(&format!("heir{n}"), "administrator")
                .await;
            let path = format!("/api/users/{}/transfer-ownership", heir.user_id());
            actor.post(&path, &json!({})).await
        }
        // A new password too short: past the access check, a session gets 400 and changes
        // nothing (a real change would end the Owner's other sessions, which the table uses).
        Endpoint::ChangePassword => {
            let body = json!({"currentPassword": PASSWORD, "newPassword": "short"});
            actor.post("/api/auth/password", &body).await
        }
        Endpoint::SetPassword => {
            let target = owner.create_user(&format!("pw{n}"), "viewer").await;
            let path = format!("/api/users/{}/password", target.user_id());
            actor.post(&path, &json!({"password": PASSWORD})).await
        }
        // A token of the fixtures' user that only reads tokens (an Administrator's by the time
        // the other rows run: the Owner's row hands ownership over). Who may take the secret
        // of a token above them is `attacks/rotation.rs`.
        Endpoint::RotateToken => {
            let id = owner
                .create_token(
                    json!({ "name": format!("target {n}"), "permissions": "tokens:read" }),
                )
                .await
                .token
                .id;
            actor
                .post(
                    &format!("/api/tokens/{id}/rotate"),
                    &json!({"overlap": "PT1H"}),
                )
                .await
        }
        Endpoint::ListAudit => actor.get("/api/audit").await,
        Endpoint::VerifyAudit => actor.get("/api/audit/verify").await,
        Endpoint::Logout => actor.post("/api/auth/logout", &json!({})).await,
        other => panic!("{other:?} is not in the matrix"),
    };
    response.status()
}

const OK: u16 = 200;
const CREATED: u16 = 201;
const GONE: u16 = 204;
const DENIED: u16 = 403;
/// Agent endpoints take only an API token: a session alone is no credential there.
const UNAUTH: u16 = 401;
/// Another user's token does not exist for a Manager.
const HIDDEN: u16 = 404;
/// Past the access check, refused by the handler for what the body says.
const BAD: u16 = 400;

#[tokio::test]
async fn every_role_and_token_kind_gets_exactly_its_permissions() {
    let (server, owner) = TestServer::with_owner().await;
    let admin = owner.create_user("admin", "administrator").await;
    let manager = owner.create_user("manager", "manager").await;
    let viewer = owner.create_user("viewer", "viewer").await;
    let owner_reader = owner.token_actor("owner tokens:read", "tokens:read").await;
    let owner_tokens = owner.token_actor("owner tokens:*", "tokens:*").await;
    let owner_users = owner.token_actor("owner users:*", "users:*").await;
    let agent = owner
        .token_actor("agent", "configs:read,heartbeat:write")
        .await;
    let manager_tokens = manager.token_actor("manager tokens:*", "tokens:*").await;
    // A Manager's token that asks for users:* could never get it; its creation is refused.
    let refused = manager
        .post(
            "/api/tokens",
            &json!({"name": "too much", "permissions": "users:read"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // Targets are made through a session of the Owner's own, which the table never logs out.
    let fixtures = login(server.base(), server.http(), "owner").await;

    // Transfer ownership (xfer) is last but one: the Owner's row hands ownership to a new user,
    // and from then on the Owner's session acts as the Administrator it has become.
    #[rustfmt::skip]
    let table: Vec<(&str, &Actor, Option<&str>, [u16; 31])> = vec![
        //                                                        lsCfg mkCfg    getCfg updCfg delCfg toml    lsAgt  beat    me  lsUsr  mkUsr    updUsr  delUsr  lsTok   mkTok    caps    get     hist    revoke  reassn  delTok  rotate  bRevok  bReasn  bDel    lsAud   verify  chpw    setpw   xfer    logout
        ("owner session",     &owner,        None,                                  [OK, CREATED, OK, OK, GONE, UNAUTH, OK, UNAUTH, OK, OK, CREATED, OK, GONE, OK, CREATED, OK, OK, OK, OK, OK, GONE, OK, OK, OK, OK, OK, OK, BAD, GONE, OK, GONE]),
        ("admin session",     &admin,        None,                                  [OK, CREATED, OK, OK, GONE, UNAUTH, OK, UNAUTH, OK, OK, CREATED, OK, GONE, OK, CREATED, OK, OK, OK, OK, OK, GONE, OK, OK, OK, OK, OK, OK, BAD, GONE, DENIED, GONE]),
        ("manager session",   &manager,      None,                                  [OK, CREATED, OK, OK, GONE, UNAUTH, OK, UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, OK, CREATED, OK, HIDDEN, HIDDEN, HIDDEN, DENIED, HIDDEN, HIDDEN, HIDDEN, DENIED, HIDDEN, DENIED, DENIED, BAD, DENIED, DENIED, GONE]),
        ("viewer session",    &viewer,       None,                                  [OK, DENIED, OK, DENIED, DENIED, UNAUTH, OK, UNAUTH, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, BAD, DENIED, DENIED, GONE]),
        ("tokens:read",       &owner_reader, Some("tokens:read"),                   [DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK, OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, GONE]),
        ("tokens:*",          &owner_tokens, Some("tokens:*"),                      [DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED, DENIED, OK, CREATED, OK, OK, OK, OK, OK, GONE, OK, OK, OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED, GONE]),
        ("users:*",           &owner_users,  Some("users:*"),                       [DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, OK, CREATED, OK, GONE, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, OK, DENIED, DENIED, DENIED, GONE]),
        ("agent preset",      &agent,        Some("configs:read,heartbeat:write"),  [OK, DENIED, OK, DENIED, DENIED, OK, DENIED, GONE, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, GONE]),
        ("manager's tokens:*",&manager_tokens,None,                                 [DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, DENIED, DENIED, DENIED, DENIED, OK, CREATED, OK, HIDDEN, HIDDEN, HIDDEN, DENIED, HIDDEN, HIDDEN, HIDDEN, DENIED, HIDDEN, DENIED, DENIED, DENIED, DENIED, DENIED, GONE]),
    ];

    // The table is the contract written out by hand; the route table must agree with it: a
    // token is refused (403) exactly where the route's declared access needs what the token
    // lacks, or a person.
    for (who, _, granted, expected) in &table {
        let Some(granted) = granted else { continue };
        let granted = Permissions::parse(granted).unwrap();
        for (endpoint, want) in ENDPOINTS.iter().zip(expected) {
            let refused_by_access = match endpoint.access() {
                Access::Person(..) | Access::OwnAccount => true,
                access => access
                    .permission()
                    .is_some_and(|(r, a)| !granted.allows(r, a)),
            };
            if *want != HIDDEN {
                assert_eq!(
                    *want == DENIED,
                    refused_by_access,
                    "{who} → {endpoint:?}: the table and the route's access disagree"
                );
            }
        }
    }

    let mut n = 0;
    let mut failures = Vec::new();
    for (who, actor, _, expected) in &table {
        for (endpoint, want) in ENDPOINTS.iter().zip(expected) {
            n += 1;
            let got = call(*endpoint, actor, &fixtures, n).await;
            if got.as_u16() != *want {
                failures.push(format!("{who} → {endpoint:?}: expected {want}, got {got}"));
            }
        }
    }
    tests::answers::assert_none(&failures, "mismatches");

    // The table covers every endpoint that needs credentials, so a new one cannot slip past it.
    let covered: HashSet<Endpoint> = ENDPOINTS.into_iter().collect();
    // (A secret scanner's signed report carries no session or token: `hygiene.rs` tests it.)
    for route in ROUTES
        .iter()
        .filter(|r| !r.endpoint.is_public() && r.access != Access::Signed)
    {
        assert!(
            covered.contains(&route.endpoint),
            "{} {} is missing from the matrix",
            route.method,
            route.path
        );
    }
}
