//! Every route of the route table × every kind of credential, answered exactly as the
//! reference model (`shared::roles::model::verdict`) predicts: allowed, 401 with which
//! message, 403 or 404. The routes come from `ROUTES`, so a new route fails here until
//! [`probe`] knows how to call it; a new kind of credential fails until the model says what it
//! may do. (What each role may do is spelled out by hand in `shared::roles`'s own tests.)

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::permissions::Permissions;
use shared::roles::model::{
    verdict, Credential, Holder, HolderKind, Target, TokenTarget, Verdict, INVALID_TOKEN,
};
use shared::roles::Role;
use shared::routes::{Endpoint, ROUTES};
use shared::TokenStatus;
use tests::actors::login;
use tests::{now_ms, Actor, TestServer, PASSWORD};

const OWNER_TOKEN: &str =
    "tc-apiv1_c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff";
const DAY_MS: i64 = 86_400_000;

fn instant(ms: i64) -> String {
    shared::time::rfc3339_from_millis(ms).unwrap()
}

/// The request one call sends, and the status it gets when access lets it through.
struct Probe {
    method: Method,
    path: String,
    body: Option<Value>,
    allowed: StatusCode,
}

impl Probe {
    fn new(method: Method, path: impl Into<String>, allowed: u16) -> Self {
        Self {
            method,
            path: path.into(),
            body: None,
            allowed: StatusCode::from_u16(allowed).unwrap(),
        }
    }

    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// What the calls act on: made through an Owner's session of its own, and tokens of a
/// Manager nobody in the table is.
struct Fixtures {
    owner: Actor,
    holder: Actor,
    expires: String,
}

impl Fixtures {
    async fn token(&self, n: usize) -> String {
        let body = json!({"name": format!("target {n}"), "expiresAt": self.expires});
        self.holder.create_token(body).await.token.id.to_string()
    }

    async fn user(&self, name: String, role: &str) -> String {
        let body = json!({"username": name, "password": PASSWORD, "role": role});
        let made = self.owner.post("/api/users", &body).await;
        assert_eq!(made.status(), StatusCode::CREATED);
        made.json::<shared::api::User>()
            .await
            .unwrap()
            .id
            .to_string()
    }

    async fn config(&self, n: usize) -> String {
        let made = self
            .owner
            .create_config(&format!("target {n}"), "a = 1")
            .await;
        made.id.to_string()
    }

    /// The model's view of these fixtures.
    fn target(&self) -> Target {
        Target {
            token: TokenTarget::someone_elses(
                Role::Manager,
                Permissions::telegraf_agent(),
                Some(now_ms() + DAY_MS),
            ),
            user_role: Role::Viewer,
            new_user_role: Role::Viewer,
            new_token_permissions: Permissions::NONE.with(
                shared::permissions::Resource::Configs,
                shared::permissions::Action::Read,
            ),
            reassign_to: Role::Manager,
        }
    }
}

/// How to call `endpoint` for call number `n`, with fresh fixtures where it changes them.
async fn probe(endpoint: Endpoint, fx: &Fixtures, n: usize) -> Probe {
    use Endpoint as E;
    use Method as M;
    let route = endpoint.route();
    let method = M::from_bytes(route.method.as_bytes()).unwrap();
    let on = |id: &str| route.path.replace("{id}", id);
    match endpoint {
        E::Health | E::AuthStatus | E::OpenApi => Probe::new(method, route.path, 200),
        E::Setup => Probe::new(method, route.path, 409)
            .body(json!({"username": "again", "password": PASSWORD})),
        E::Login => Probe::new(method, route.path, 200)
            .body(json!({"username": "owner", "password": PASSWORD})),
        E::SecretScanning => Probe::new(method, route.path, 401).body(json!([])),
        E::Logout => Probe::new(method, route.path, 204).body(json!({})),
        E::Me
        | E::ListUsers
        | E::ListTokens
        | E::TokenCapabilities
        | E::ListConfigs
        | E::ListAgents
        | E::ListAudit
        | E::VerifyAudit => Probe::new(method, route.path, 200),
        // Past the access check a too-short password is refused and nothing changes (a real
        // change would end the sessions the table goes on using).
        E::ChangePassword => Probe::new(method, route.path, 400)
            .body(json!({"currentPassword": PASSWORD, "newPassword": "short"})),
        E::CreateUser => Probe::new(method, route.path, 201)
            .body(json!({"username": format!("made{n}"), "password": PASSWORD, "role": "viewer"})),
        E::UpdateUser => Probe::new(method, on(&fx.user(format!("upd{n}"), "viewer").await), 200)
            .body(json!({"disabled": true})),
        E::DeleteUser => Probe::new(method, on(&fx.user(format!("del{n}"), "viewer").await), 204),
        E::SetPassword => Probe::new(method, on(&fx.user(format!("pw{n}"), "viewer").await), 204)
            .body(json!({"newPassword": "a new password for them"})),
        E::TransferOwnership => {
            let heir = fx.user(format!("heir{n}"), "administrator").await;
            Probe::new(method, on(&heir), 200).body(json!({}))
        }
        E::CreateToken => Probe::new(method, route.path, 201)
            .body(json!({"name": format!("created {n}"), "permissions": "configs:read"})),
        E::GetToken | E::TokenHistory => Probe::new(method, on(&fx.token(n).await), 200),
        E::RevokeToken => Probe::new(method, on(&fx.token(n).await), 200).body(json!({})),
        E::DeleteToken => Probe::new(method, on(&fx.token(n).await), 204),
        E::RotateToken => {
            Probe::new(method, on(&fx.token(n).await), 200).body(json!({"overlap": "PT1H"}))
        }
        E::ReassignToken => {
            let to = fx.user(format!("mover{n}"), "manager").await;
            Probe::new(method, on(&fx.token(n).await), 200).body(json!({"userId": to}))
        }
        E::BulkDeleteTokens | E::BulkRevokeTokens => {
            Probe::new(method, route.path, 200).body(json!({"ids": [fx.token(n).await]}))
        }
        E::BulkReassignTokens => {
            let to = fx.user(format!("bulkmover{n}"), "manager").await;
            Probe::new(method, route.path, 200)
                .body(json!({"ids": [fx.token(n).await], "userId": to}))
        }
        E::CreateConfig => Probe::new(method, route.path, 201)
            .body(json!({"name": format!("config {n}"), "toml": "a = 1"})),
        E::GetConfig | E::ConfigToml => Probe::new(method, on(&fx.config(n).await), 200),
        E::UpdateConfig => Probe::new(method, on(&fx.config(n).await), 200)
            .body(json!({"name": format!("renamed {n}"), "toml": "a = 2"})),
        E::DeleteConfig => Probe::new(method, on(&fx.config(n).await), 204),
        E::Heartbeat => Probe::new(method, route.path, 204)
            .body(json!({"id": format!("agent-{n}"), "version": "Telegraf 1.39.0"})),
    }
}

/// One kind of credential: its name, what the model makes of it, and the caller holding it.
struct Kind {
    name: &'static str,
    model: Credential,
    caller: Actor,
}

fn works(holder: Holder) -> Credential {
    Credential::Works(holder)
}

fn refused(status: TokenStatus) -> Credential {
    Credential::Refused(status.refusal().unwrap())
}

/// Every kind of credential SPEC 10 lists, the Owner's session last (its row hands ownership
/// over near its end).
async fn kinds(server: &TestServer, owner: &Actor) -> Vec<Kind> {
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

/// The routes in table order, except that ownership moves and sessions end last.
fn routes() -> Vec<Endpoint> {
    let last = [Endpoint::TransferOwnership, Endpoint::Logout];
    let mut routes: Vec<Endpoint> = ROUTES
        .iter()
        .map(|r| r.endpoint)
        .filter(|e| !last.contains(e))
        .collect();
    routes.extend(last);
    routes
}

#[tokio::test]
async fn every_credential_gets_on_every_route_what_the_model_predicts() {
    let server = TestServer::builder()
        .var("OWNER_TOKEN", OWNER_TOKEN)
        .start()
        .await;
    let owner = server.owner().await;
    let holder = owner.create_user("holder", "manager").await;
    let fx = Fixtures {
        owner: login(server.base(), server.http(), "owner").await,
        holder,
        expires: instant(now_ms() + DAY_MS),
    };
    let kinds = kinds(&server, &owner).await;
    let target = fx.target();
    let routes = routes();
    let (mut n, mut heads, mut failures) = (0, 0, Vec::new());
    for (k, kind) in kinds.iter().enumerate() {
        // Each kind calls from an address of its own, so no throttle counts one against another.
        let address = format!("198.51.100.{}", k + 1);
        for &endpoint in &routes {
            n += 1;
            let p = probe(endpoint, &fx, n).await;
            let mut request = kind.caller.request(p.method.clone(), &p.path);
            request = request.header("CF-Connecting-IP", &address);
            if let Some(body) = &p.body {
                request = request.json(body);
            }
            let (status, message) = answer(kind.caller.send(request).await).await;
            let want = verdict(endpoint, kind.model, &target);
            let expected = match want {
                Verdict::Allowed => p.allowed,
                Verdict::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
                Verdict::Forbidden => StatusCode::FORBIDDEN,
                Verdict::NotFound => StatusCode::NOT_FOUND,
            };
            let message_ok = match want {
                Verdict::Unauthenticated(m) => message.as_deref() == Some(m),
                _ => true,
            };
            if status != expected || !message_ok {
                failures.push(format!(
                    "{} → {} {}: the model says {want:?} ({expected}), the worker answered {status} {message:?}",
                    kind.name, p.method, endpoint.route().path
                ));
            }
            // HEAD is answered by the GET route, with the same status.
            if p.method == Method::GET {
                heads += 1;
                let head = kind
                    .caller
                    .request(Method::HEAD, &p.path)
                    .header("CF-Connecting-IP", &address);
                let got = kind.caller.send(head).await.status();
                if got != status {
                    failures.push(format!(
                        "{} → HEAD {}: {got}, GET got {status}",
                        kind.name, p.path
                    ));
                }
            }
        }
    }
    println!(
        "credential-by-route matrix: {} routes × {} kinds of credential = {n} answers, and {heads} HEADs",
        routes.len(),
        kinds.len()
    );
    tests::answers::assert_none(&failures, "answers differ from the model");
    assert_eq!(n, ROUTES.len() * kinds.len());
}

/// The status and, for an error, its message.
async fn answer(response: reqwest::Response) -> (StatusCode, Option<String>) {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned));
    (status, message)
}
