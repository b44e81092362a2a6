//! Ready-made callers of the API: anonymous, a signed-in user (cookie, sending `Origin` as a
//! browser would), or an API token holder (Bearer).

use crate::answers::expect_json;
use crate::TestServer;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use shared::api::{
    Config, CreatedToken, EventList, Token, TokenEvent, TokenList, User, UserEnvelope, UserList,
};
use shared::UserId;

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Clone)]
pub enum Auth {
    Anonymous,
    Session(String),
    Bearer(String),
}

#[derive(Clone)]
pub struct Actor {
    base: String,
    http: reqwest::Client,
    pub auth: Auth,
    /// The account behind a session or token, when there is one.
    pub user: Option<User>,
}

impl Actor {
    pub fn anonymous(server: &TestServer) -> Self {
        Self {
            base: server.base().to_owned(),
            http: server.http().clone(),
            auth: Auth::Anonymous,
            user: None,
        }
    }

    /// A request with this actor's credentials. Cookie requests carry `Origin`, as browsers do.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let builder = self.http.request(method, format!("{}{path}", self.base));
        match &self.auth {
            Auth::Anonymous => builder,
            Auth::Session(cookie) => builder
                .header("Cookie", format!("tc_session={cookie}"))
                .header("Origin", &self.base),
            Auth::Bearer(token) => builder.bearer_auth(token),
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.send(self.request(Method::PATCH, path).json(body))
            .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.send(self.request(Method::PUT, path).json(body)).await
    }

    /// Sets the organisation's token lifetime policy (as the Owner, in person).
    pub async fn set_token_policy(&self, max_lifetime: Option<&str>, require_expiry: bool) {
        let body =
            serde_json::json!({"maxLifetime": max_lifetime, "requireExpiry": require_expiry});
        let set = self.put("/api/settings/token-policy", &body).await;
        assert_eq!(
            set.status(),
            reqwest::StatusCode::OK,
            "setting the token policy"
        );
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.send(self.request(Method::DELETE, path)).await
    }

    /// Sends a request built with [`Actor::request`], checking the answer against the OpenAPI
    /// document (see [`crate::contract`]).
    pub async fn send(&self, request: RequestBuilder) -> Response {
        crate::contract::send(&self.http, request).await
    }

    pub fn user_id(&self) -> UserId {
        self.user.as_ref().expect("an actor with an account").id
    }

    /// Creates a token as this actor; panics unless it answers 201.
    pub async fn create_token(&self, body: Value) -> CreatedToken {
        expect_json(self.post("/api/tokens", &body).await, StatusCode::CREATED).await
    }

    /// A token with the Telegraf Agent preset (Configs Read, Heartbeat Write).
    pub async fn agent_token(&self, name: &str) -> CreatedToken {
        self.create_token(json!({ "name": name, "preset": "telegraf-agent" }))
            .await
    }

    /// `GET path` answered 200 with a `T`.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> T {
        expect_json(self.get(path).await, StatusCode::OK).await
    }

    /// Revokes one of this actor's tokens; panics unless it answers 200.
    pub async fn revoke(&self, id: impl std::fmt::Display) -> Token {
        let response = self
            .post(&format!("/api/tokens/{id}/revoke"), &json!({}))
            .await;
        expect_json(response, StatusCode::OK).await
    }

    /// Rotates a token with this overlap (`"PT1H"`); panics unless it answers 200.
    pub async fn rotate(&self, id: impl std::fmt::Display, overlap: &str) -> CreatedToken {
        let body = json!({ "overlap": overlap });
        let response = self.post(&format!("/api/tokens/{id}/rotate"), &body).await;
        expect_json(response, StatusCode::OK).await
    }

    /// `POST /api/tokens/{id}/reassign` to `user` (a user id, or anything a test wants to try).
    pub async fn reassign(
        &self,
        id: impl std::fmt::Display,
        user: impl serde::Serialize,
    ) -> Response {
        let body = json!({ "userId": user });
        self.post(&format!("/api/tokens/{id}/reassign"), &body)
            .await
    }

    /// A token's history, newest first.
    pub async fn history(&self, id: impl std::fmt::Display) -> Vec<TokenEvent> {
        self.get_json::<EventList>(&format!("/api/tokens/{id}/history"))
            .await
            .items
    }

    /// The same credentials against `server`, e.g. after [`TestServer::restart`] moved it to
    /// another port.
    pub fn rebased(&self, server: &TestServer) -> Actor {
        Actor {
            base: server.base().to_owned(),
            ..self.clone()
        }
    }

    /// The same server, calling with this token string instead.
    pub fn holding(&self, secret: &str) -> Actor {
        Actor {
            auth: Auth::Bearer(secret.to_owned()),
            ..self.clone()
        }
    }

    /// An actor holding a new token of this actor's with the given permissions.
    pub async fn token_actor(&self, name: &str, permissions: &str) -> Actor {
        let created = self
            .create_token(json!({ "name": name, "permissions": permissions }))
            .await;
        Actor {
            auth: Auth::Bearer(created.secret),
            ..self.clone()
        }
    }

    /// Creates a configuration; panics unless it answers 201.
    pub async fn create_config(&self, name: &str, toml: &str) -> Config {
        let response = self
            .post("/api/configs", &json!({ "name": name, "toml": toml }))
            .await;
        expect_json(response, StatusCode::CREATED).await
    }

    /// One page of `GET /api/tokens{query}` (`query` is empty or starts with `?`).
    pub async fn tokens(&self, query: &str) -> TokenList {
        self.get_json(&format!("/api/tokens{query}")).await
    }

    /// Every token this actor can see, following the cursor through all pages.
    pub async fn all_tokens(&self) -> Vec<Token> {
        let mut items = Vec::new();
        let mut query = "?limit=200".to_owned();
        loop {
            let page = self.tokens(&query).await;
            items.extend(page.items);
            match page.next_cursor {
                Some(cursor) => query = format!("?limit=200&cursor={cursor}"),
                None => return items,
            }
        }
    }

    /// One token's detail, which must exist for this actor.
    pub async fn token(&self, id: impl std::fmt::Display) -> Token {
        self.get_json(&format!("/api/tokens/{id}")).await
    }

    /// Every user, as this actor lists them (ordered by username).
    pub async fn users(&self) -> Vec<User> {
        self.get_json::<UserList>("/api/users").await.items
    }

    /// `username=role` of every user, ordered by username: `"ada=owner owner=administrator"`.
    pub async fn user_roles(&self) -> String {
        let users = self.users().await;
        let roles: Vec<String> = users
            .iter()
            .map(|u| format!("{}={}", u.username, u.role.as_str()))
            .collect();
        roles.join(" ")
    }

    /// Creates another account as this actor and signs it in.
    pub async fn create_user(&self, username: &str, role: &str) -> Actor {
        let response = self
            .post(
                "/api/users",
                &json!({ "username": username, "password": PASSWORD, "role": role }),
            )
            .await;
        expect_json::<User>(response, StatusCode::CREATED).await;
        login(&self.base, &self.http, username).await
    }
}

/// The session cookie's value from a response's `Set-Cookie`.
pub fn session_from(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .find_map(|v| {
            let v = v.to_str().ok()?;
            let value = v.strip_prefix("tc_session=")?.split(';').next()?;
            (!value.is_empty()).then(|| value.to_owned())
        })
}

pub async fn login(base: &str, http: &reqwest::Client, username: &str) -> Actor {
    let request = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "username": username, "password": PASSWORD }));
    let response = crate::contract::send(http, request).await;
    assert_eq!(response.status(), StatusCode::OK, "signing in {username}");
    let cookie = session_from(&response).expect("a session cookie");
    let envelope: UserEnvelope = response.json().await.expect("{user}");
    Actor {
        base: base.to_owned(),
        http: http.clone(),
        auth: Auth::Session(cookie),
        user: Some(envelope.user),
    }
}

impl TestServer {
    /// One sign-in attempt, without keeping the session.
    pub async fn login_attempt(&self, username: &str, password: &str) -> Response {
        self.send(
            self.http()
                .post(self.url("/api/auth/login"))
                .json(&json!({ "username": username, "password": password })),
        )
        .await
    }

    /// Runs first-run setup and returns the signed-in Owner.
    pub async fn owner(&self) -> Actor {
        let response = self
            .send(self.http().post(self.url("/api/auth/setup")).json(
                &json!({ "username": "owner", "password": PASSWORD, "displayName": "The Owner" }),
            ))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "first-run setup");
        let cookie = session_from(&response).expect("a session cookie");
        let envelope: UserEnvelope = response.json().await.expect("{user}");
        Actor {
            base: self.base().to_owned(),
            http: self.http().clone(),
            auth: Auth::Session(cookie),
            user: Some(envelope.user),
        }
    }
}
