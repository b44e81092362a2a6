//! Every kind of credential, and what the reference model says it may do.

use super::*;

/// Every kind of credential SPEC 10 lists, the Owner's session last (its row hands ownership
/// over near its end).
pub(super) async fn kinds(server: &TestServer, owner: &Actor) -> Vec<Kind> {
    use Role::*;
    let admin = owner.create_user("ada", "administrator").await;
    let manager = owner.create_user("mia", "manager").await;
    let viewer = owner.create_user("vic", "viewer").await;
    let disabled = owner.create_user("dee", "manager").await;
    let full = json!({"preset": "full-access"});
    let token = |who: &Actor, name: &str, preset: &Value| {
        let mut body = preset.clone();
        body["name"] = json!(name);
        let who = who.clone();
        async move { who.create_token(body).await }
    };
    let agent = json!({"preset": "telegraf-agent"});
    let owner_full = token(owner, "owner full", &full).await;
    let owner_agent = token(owner, "owner agent", &agent).await;
    let admin_full = token(&admin, "admin full", &full).await;
    let manager_full = token(&manager, "manager full", &full).await;
    let manager_agent = token(&manager, "manager agent", &agent).await;
    let reader = token(
        owner,
        "owner reader",
        &json!({"permissions": "tokens:read"}),
    )
    .await;
    // A full-access token that reaches one configuration only.
    let only = owner.create_config("scope only", "a = 1").await;
    let scoped = owner
        .create_token(json!({"name": "scoped", "preset": "full-access", "configScope": [only.id]}))
        .await;
    // Tokens limited to addresses: the table calls from 198.51.100.0/24 (see `main`).
    let limited = |name: &str, block: &str| {
        let body = json!({"name": name, "preset": "full-access", "allowedAddresses": [block]});
        owner.create_token(body)
    };
    let inside = limited("limited, called from inside", "198.51.100.0/24").await;
    let outside = limited("limited, called from outside", "203.0.113.0/24").await;
    let child_expiry = now_ms() + 30 * DAY_MS;
    let child = owner
        .holding(&owner_full.secret)
        .create_token(
            json!({"name": "child", "preset": "full-access", "expiresAt": instant(child_expiry)}),
        )
        .await;
    let overlapping = token(owner, "overlapping", &full).await;
    owner.rotate(overlapping.token.id, "PT1H").await;
    let ended = token(owner, "overlap ended", &full).await;
    owner.rotate(ended.token.id, "PT0S").await;
    let revoked = token(owner, "revoked", &full).await;
    owner.revoke(revoked.token.id).await;
    let expiring = owner
        .create_token(json!({"name": "expired", "preset": "full-access", "expiresAt": instant(now_ms() + 2_000)}))
        .await;
    let disabled_token = token(&disabled, "owner disabled", &full).await;
    let off = owner
        .patch(
            &format!("/api/users/{}", disabled.user_id()),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(off.status(), StatusCode::OK);
    let narrowed = token(&admin, "narrowed", &full).await;
    assert_eq!(
        admin
            .reassign(narrowed.token.id, manager.user_id())
            .await
            .status(),
        StatusCode::OK
    );
    // An Administrator's token, handed to a Manager, rotated by them, taken back: the
    // Manager's new secret acts as a Manager.
    let lowered = token(&admin, "rotated by a manager", &full).await;
    assert_eq!(
        admin
            .reassign(lowered.token.id, manager.user_id())
            .await
            .status(),
        StatusCode::OK
    );
    let taken = manager.rotate(lowered.token.id, "PT0S").await;
    assert_eq!(
        admin
            .reassign(lowered.token.id, admin.user_id())
            .await
            .status(),
        StatusCode::OK
    );
    let deleted = token(owner, "deleted", &full).await;
    let gone = owner
        .delete(&format!("/api/tokens/{}", deleted.token.id))
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    // The short-lived token has expired once an agent is told so.
    let expired = owner.holding(&expiring.secret);
    tests::wait::until(
        "the token expires",
        std::time::Duration::from_secs(20),
        || {
            let expired = expired.clone();
            async move {
                let (status, message) = answer(expired.get("/api/auth/me").await).await;
                (status == StatusCode::UNAUTHORIZED && message.as_deref() == Some("Token expired"))
                    .then_some(())
            }
        },
    )
    .await;

    let manager_grants = Manager.permissions();
    let previous = Holder {
        kind: HolderKind::PreviousSecret,
        ..Holder::token(Owner, Permissions::ALL, None)
    };
    let kind = |name, model, caller: Actor| Kind {
        name,
        model,
        caller,
    };
    let bearer = |secret: &str| owner.holding(secret);
    vec![
        kind("no credential", Credential::None, Actor::anonymous(server)),
        kind(
            "administrator session",
            works(Holder::session(Administrator)),
            admin.clone(),
        ),
        kind(
            "manager session",
            works(Holder::session(Manager)),
            manager.clone(),
        ),
        kind("viewer session", works(Holder::session(Viewer)), viewer),
        kind(
            "owner full-access token",
            works(Holder::token(Owner, Permissions::ALL, None)),
            bearer(&owner_full.secret),
        ),
        kind(
            "owner agent token",
            works(Holder::token(Owner, Permissions::telegraf_agent(), None)),
            bearer(&owner_agent.secret),
        ),
        kind(
            "owner full-access token scoped to one configuration",
            works(Holder {
                config_scoped: true,
                ..Holder::token(Owner, Permissions::ALL, None)
            }),
            bearer(&scoped.secret),
        ),
        kind(
            "owner full-access token called from inside its allowed addresses",
            works(Holder::token(Owner, Permissions::ALL, None)),
            bearer(&inside.secret),
        ),
        kind(
            "owner full-access token called from outside its allowed addresses",
            Credential::Refused(shared::addresses::ADDRESS_REFUSED),
            bearer(&outside.secret),
        ),
        kind(
            "owner tokens:read token",
            works(Holder::token(
                Owner,
                Permissions::parse("tokens:read").unwrap(),
                None,
            )),
            bearer(&reader.secret),
        ),
        kind(
            "administrator full-access token",
            works(Holder::token(Administrator, Permissions::ALL, None)),
            bearer(&admin_full.secret),
        ),
        kind(
            "manager full-access token",
            works(Holder::token(Manager, manager_grants, None)),
            bearer(&manager_full.secret),
        ),
        kind(
            "manager agent token",
            works(Holder::token(Manager, Permissions::telegraf_agent(), None)),
            bearer(&manager_agent.secret),
        ),
        kind(
            "child token",
            works(Holder::token(Owner, Permissions::ALL, Some(child_expiry))),
            bearer(&child.secret),
        ),
        kind(
            "previous secret in its overlap",
            works(previous),
            bearer(&overlapping.secret),
        ),
        kind(
            "previous secret after its overlap",
            refused(TokenStatus::Revoked),
            bearer(&ended.secret),
        ),
        kind(
            "revoked token",
            refused(TokenStatus::Revoked),
            bearer(&revoked.secret),
        ),
        kind(
            "expired token",
            refused(TokenStatus::Expired),
            bearer(&expiring.secret),
        ),
        kind(
            "owner-disabled token",
            refused(TokenStatus::OwnerDisabled),
            bearer(&disabled_token.secret),
        ),
        kind(
            "narrowed by reassign",
            works(Holder::token(Manager, Permissions::ALL, None)),
            bearer(&narrowed.secret),
        ),
        kind(
            "rotated by a lower role",
            works(Holder::token(Manager, Permissions::ALL, None)),
            bearer(&taken.secret),
        ),
        kind(
            "bootstrap token",
            works(Holder::bootstrap()),
            bearer(OWNER_TOKEN),
        ),
        kind(
            "deleted token",
            Credential::Refused(INVALID_TOKEN),
            bearer(&deleted.secret),
        ),
        kind(
            "owner session",
            works(Holder::session(Owner)),
            owner.clone(),
        ),
    ]
}
