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

mod kinds;
mod probe;

use kinds::kinds;
use probe::probe;

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
