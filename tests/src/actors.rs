//! Ready-made callers of the API: anonymous, a signed-in user (cookie, sending `Origin` as a
//! browser would), or an API token holder (Bearer).

use crate::TestServer;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use shared::UserId;
use shared::api::{Config, CreatedToken, Token, TokenList, User, UserEnvelope, UserList};

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
        let response = self.post("/api/tokens", &body).await;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::CREATED, "creating token {body}: {text}");
        serde_json::from_str(&text).expect("a CreatedToken")
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
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "creating config {name}"
        );
        response.json().await.expect("a Config")
    }

    /// One page of `GET /api/tokens{query}` (`query` is empty or starts with `?`).
    pub async fn tokens(&self, query: &str) -> TokenList {
        let response = self.get(&format!("/api/tokens{query}")).await;
        assert_eq!(response.status(), StatusCode::OK, "listing tokens{query}");
        response.json().await.expect("a TokenList")
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
        let response = self.get(&format!("/api/tokens/{id}")).await;
        assert_eq!(response.status(), StatusCode::OK, "token {id}");
        response.json().await.expect("a Token")
    }

    /// Every user, as this actor lists them (ordered by username).
    pub async fn users(&self) -> Vec<User> {
        let response = self.get("/api/users").await;
        assert_eq!(response.status(), StatusCode::OK, "listing users");
        response.json::<UserList>().await.expect("a UserList").items
    }

    /// `(username, role)` of every user, ordered by username.
    pub async fn user_roles(&self) -> Vec<(String, String)> {
        self.users()
            .await
            .into_iter()
            .map(|u| (u.username, u.role.as_str().to_owned()))
            .collect()
    }

    /// Creates another account as this actor and signs it in.
    pub async fn create_user(&self, username: &str, role: &str) -> Actor {
        let response = self
            .post(
                "/api/users",
                &json!({ "username": username, "password": PASSWORD, "role": role }),
            )
            .await;
        let status = response.status();
        assert_eq!(
            status,
            StatusCode::CREATED,
            "creating user {username}: {}",
            response.text().await.unwrap_or_default()
        );
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
