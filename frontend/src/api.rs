//! The API client: the only place in the app that knows URLs. One private request helper,
//! one small public function per endpoint.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use shared::api::{
    AgentList, AuthStatus, BulkDeleted, BulkReassignRequest, BulkReassigned, BulkRequest,
    BulkRevoked, Capabilities, Config, ConfigList, ConfigRequest, CreateTokenRequest,
    CreateUserRequest, CreatedToken, EventList, LoginRequest, ReassignRequest, SetupRequest, Token,
    TokenList, UpdateUserRequest, User, UserEnvelope, UserList,
};
use shared::listing::TokenQuery;
use shared::{ErrorBody, ErrorCode, TokenId};
use std::fmt::{self, Display};

/// Why a call failed, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// HTTP status, or 0 when the server could not be reached at all.
    pub status: u16,
    /// The API's machine-readable code (`token_name_conflict`, …), or `network_error`.
    pub code: String,
    pub message: String,
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiFailure {}

pub async fn auth_status() -> Result<AuthStatus, ApiFailure> {
    json(Request::get("/api/auth/status")).await
}

pub async fn setup(body: SetupRequest) -> Result<UserEnvelope, ApiFailure> {
    json_with_body(Request::post("/api/auth/setup"), &body).await
}

pub async fn login(body: LoginRequest) -> Result<UserEnvelope, ApiFailure> {
    json_with_body(Request::post("/api/auth/login"), &body).await
}

pub async fn logout() -> Result<(), ApiFailure> {
    no_content(Request::post("/api/auth/logout")).await
}

pub async fn me() -> Result<UserEnvelope, ApiFailure> {
    json(Request::get("/api/auth/me")).await
}

pub async fn list_users() -> Result<UserList, ApiFailure> {
    json(Request::get("/api/users")).await
}

pub async fn create_user(body: CreateUserRequest) -> Result<User, ApiFailure> {
    json_with_body(Request::post("/api/users"), &body).await
}

pub async fn update_user(id: impl Display, body: UpdateUserRequest) -> Result<User, ApiFailure> {
    json_with_body(Request::patch(&format!("/api/users/{id}")), &body).await
}

pub async fn delete_user(id: impl Display) -> Result<(), ApiFailure> {
    no_content(Request::delete(&format!("/api/users/{id}"))).await
}

pub async fn transfer_ownership(id: impl Display) -> Result<User, ApiFailure> {
    json(Request::post(&format!(
        "/api/users/{id}/transfer-ownership"
    )))
    .await
}

pub async fn list_configs() -> Result<ConfigList, ApiFailure> {
    json(Request::get("/api/configs")).await
}

pub async fn create_config(body: ConfigRequest) -> Result<Config, ApiFailure> {
    json_with_body(Request::post("/api/configs"), &body).await
}

pub async fn update_config(id: impl Display, body: ConfigRequest) -> Result<Config, ApiFailure> {
    json_with_body(Request::put(&format!("/api/configs/{id}")), &body).await
}

pub async fn delete_config(id: impl Display) -> Result<(), ApiFailure> {
    no_content(Request::delete(&format!("/api/configs/{id}"))).await
}

/// The URL Telegraf's `--config` takes for a configuration, on this origin.
pub fn config_toml_url(id: impl Display) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}/api/configs/{id}/toml")
}

pub async fn list_agents() -> Result<AgentList, ApiFailure> {
    json(Request::get("/api/agents")).await
}

/// One page of the token list; the query string is the shared type's own.
pub async fn list_tokens(query: &TokenQuery) -> Result<TokenList, ApiFailure> {
    let pairs = query.to_query_pairs();
    json(Request::get("/api/tokens").query(pairs.iter().map(|(k, v)| (*k, v.as_str())))).await
}

pub async fn create_token(body: CreateTokenRequest) -> Result<CreatedToken, ApiFailure> {
    json_with_body(Request::post("/api/tokens"), &body).await
}

pub async fn token_capabilities() -> Result<Capabilities, ApiFailure> {
    json(Request::get("/api/tokens/capabilities")).await
}

pub async fn get_token(id: impl Display) -> Result<Token, ApiFailure> {
    json(Request::get(&format!("/api/tokens/{id}"))).await
}

pub async fn token_history(id: impl Display) -> Result<EventList, ApiFailure> {
    json(Request::get(&format!("/api/tokens/{id}/history"))).await
}

pub async fn revoke_token(id: impl Display) -> Result<Token, ApiFailure> {
    json(Request::post(&format!("/api/tokens/{id}/revoke"))).await
}

pub async fn reassign_token(id: impl Display, user_id: String) -> Result<Token, ApiFailure> {
    json_with_body(
        Request::post(&format!("/api/tokens/{id}/reassign")),
        &ReassignRequest { user_id },
    )
    .await
}

pub async fn bulk_delete(ids: &[TokenId]) -> Result<BulkDeleted, ApiFailure> {
    json_with_body(
        Request::post("/api/tokens/bulk-delete"),
        &BulkRequest { ids: texts(ids) },
    )
    .await
}

pub async fn bulk_revoke(ids: &[TokenId]) -> Result<BulkRevoked, ApiFailure> {
    json_with_body(
        Request::post("/api/tokens/bulk-revoke"),
        &BulkRequest { ids: texts(ids) },
    )
    .await
}

pub async fn bulk_reassign(ids: &[TokenId], user_id: String) -> Result<BulkReassigned, ApiFailure> {
    json_with_body(
        Request::post("/api/tokens/bulk-reassign"),
        &BulkReassignRequest {
            ids: texts(ids),
            user_id,
        },
    )
    .await
}

fn texts(ids: &[TokenId]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

pub async fn delete_token(id: impl Display) -> Result<(), ApiFailure> {
    no_content(Request::delete(&format!("/api/tokens/{id}"))).await
}

async fn json<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ApiFailure> {
    let response = request.send().await.map_err(network)?;
    decode(response).await
}

async fn json_with_body<B: serde::Serialize, T: DeserializeOwned>(
    request: RequestBuilder,
    body: &B,
) -> Result<T, ApiFailure> {
    let request = request.json(body).map_err(|e| ApiFailure {
        status: 0,
        code: "encode_error".into(),
        message: format!("The request could not be prepared: {e}"),
    })?;
    let response = request.send().await.map_err(network)?;
    decode(response).await
}

async fn no_content(request: RequestBuilder) -> Result<(), ApiFailure> {
    let response = request.send().await.map_err(network)?;
    if response.ok() {
        Ok(())
    } else {
        Err(failure(response).await)
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    if !response.ok() {
        return Err(failure(response).await);
    }
    response.json::<T>().await.map_err(|e| ApiFailure {
        status: response.status(),
        code: "decode_error".into(),
        message: format!(
            "The server sent an answer this page does not understand ({e}). Reload the page."
        ),
    })
}

/// Where to go when the session has ended; the page the user was on comes back after sign-in.
pub const SIGN_IN_PATH: &str = "/signin";

async fn failure(response: Response) -> ApiFailure {
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => {
            if status == 401 && body.error == ErrorCode::Unauthenticated {
                redirect_to_sign_in();
            }
            ApiFailure {
                status,
                code: body.error.as_str().to_owned(),
                message: body.message,
            }
        }
        Err(_) => ApiFailure {
            status,
            code: "http_error".into(),
            message: format!(
                "The server answered {status} {}. Try again in a moment.",
                response.status_text()
            ),
        },
    }
}

/// A missing or expired session sends the browser to sign-in, remembering where it was.
fn redirect_to_sign_in() {
    let location = web_sys::window().map(|w| w.location());
    let Some(location) = location else { return };
    let path = location.pathname().unwrap_or_default();
    if path == SIGN_IN_PATH || path == "/setup" {
        return;
    }
    let next = js_sys::encode_uri_component(&path);
    let _ = location.assign(&format!("{SIGN_IN_PATH}?next={next}"));
}

fn network(e: gloo_net::Error) -> ApiFailure {
    ApiFailure {
        status: 0,
        code: "network_error".into(),
        message: format!("Could not reach the server ({e}). Check the connection and try again."),
    }
}
