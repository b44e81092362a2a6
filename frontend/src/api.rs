//! The API client: the only place in the app that knows URLs. One line per endpoint (the
//! `endpoints!` table), each a small public async function; one way to read every answer.

use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::agent::AgentQuery;
use shared::api::{
    AgentList, AuthStatus, BulkDeleted, BulkReassignRequest, BulkReassigned, BulkRequest,
    BulkRevoked, Capabilities, ChangePasswordRequest, Config, ConfigList, ConfigRequest,
    CreateTokenRequest, CreateUserRequest, CreatedToken, EventList, LoginRequest, ReassignRequest,
    RotateRequest, SetPasswordRequest, SetupRequest, Token, TokenList, TokenPolicyRequest,
    TokenPolicySettings, UpdateTokenRequest, UpdateUserRequest, User, UserEnvelope, UserList,
};
use shared::audit::{AuditForwarding, AuditList, AuditQuery, AuditVerification};
use shared::listing::TokenQuery;
use shared::routes::Endpoint;
use shared::{ErrorBody, ErrorCode, TokenId};
use std::fmt::{self, Display};
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a call failed, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// HTTP status, or 0 when the server could not be reached at all.
    pub status: u16,
    /// The API's machine-readable code (`token_name_conflict`, …), or `network_error`.
    pub code: String,
    pub message: String,
    /// The ids sent that the error is about (`ErrorBody::ids`), if any.
    pub ids: Vec<String>,
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiFailure {}

/// One line an endpoint: `fn name(args) -> Answer = Endpoint[path parameters] with body`.
/// The method and the path come from the route table (`shared::routes::ROUTES`), the one the
/// worker resolves requests with, so the SPA cannot call a path the worker does not serve.
macro_rules! endpoints {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $answer:ty
        = $endpoint:ident $([$($param:expr),*])? $(with $body:expr)?;)*) => {
        $(
            $(#[$doc])*
            pub async fn $name($($arg: $ty),*) -> Result<$answer, ApiFailure> {
                #[allow(unused_mut, unused_assignments)]
                let mut body = None;
                $(body = Some(encode(&$body)?);)?
                let route = Endpoint::$endpoint.route();
                let url = route.url(&[$($($param.to_string().as_str()),*)?]);
                decode(send(route.method, url, body).await?)
            }
        )*
    };
}

endpoints! {
    fn auth_status() -> AuthStatus = AuthStatus;
    fn setup(body: SetupRequest) -> UserEnvelope = Setup with body;
    fn login(body: LoginRequest) -> UserEnvelope = Login with body;
    fn logout() -> () = Logout;
    fn change_password(body: ChangePasswordRequest) -> () = ChangePassword with body;

    fn list_users() -> UserList = ListUsers;
    fn create_user(body: CreateUserRequest) -> User = CreateUser with body;
    fn update_user(id: impl Display, body: UpdateUserRequest) -> User = UpdateUser[id] with body;
    fn delete_user(id: impl Display) -> () = DeleteUser[id];
    fn transfer_ownership(id: impl Display) -> User = TransferOwnership[id];
    fn set_password(id: impl Display, body: SetPasswordRequest) -> () = SetPassword[id] with body;

    fn list_configs() -> ConfigList = ListConfigs;
    fn create_config(body: ConfigRequest) -> Config = CreateConfig with body;
    fn update_config(id: impl Display, body: ConfigRequest) -> Config = UpdateConfig[id] with body;
    fn delete_config(id: impl Display) -> () = DeleteConfig[id];


    fn create_token(body: CreateTokenRequest) -> CreatedToken = CreateToken with body;
    fn token_capabilities() -> Capabilities = TokenCapabilities;
    fn get_token(id: impl Display) -> Token = GetToken[id];
    fn token_history(id: impl Display) -> EventList = TokenHistory[id];
    fn revoke_token(id: impl Display) -> Token = RevokeToken[id];
    fn reassign_token(id: impl Display, user_id: String) -> Token
        = ReassignToken[id] with ReassignRequest { user_id };
    fn delete_token(id: impl Display) -> () = DeleteToken[id];
    fn update_token(id: impl Display, body: UpdateTokenRequest) -> Token = UpdateToken[id] with body;
    fn token_policy() -> TokenPolicySettings = GetTokenPolicy;
    fn set_token_policy(body: TokenPolicyRequest) -> TokenPolicySettings = SetTokenPolicy with body;
    fn rotate_token(id: impl Display, overlap: String) -> CreatedToken
        = RotateToken[id] with RotateRequest { overlap: Some(overlap) };
    fn audit_forwarding() -> AuditForwarding = AuditForwarding;
    fn bulk_delete(ids: &[TokenId]) -> BulkDeleted
        = BulkDeleteTokens with BulkRequest { ids: texts(ids) };
    fn bulk_revoke(ids: &[TokenId]) -> BulkRevoked
        = BulkRevokeTokens with BulkRequest { ids: texts(ids) };
    fn bulk_reassign(ids: &[TokenId], user_id: String) -> BulkReassigned
        = BulkReassignTokens with BulkReassignRequest { ids: texts(ids), user_id };
}

/// The path of an endpoint without parameters, from the route table.
fn path(endpoint: Endpoint) -> String {
    endpoint.route().url(&[])
}

/// Who is signed in. The first time, index.html's script has already asked while the app was
/// downloading (`window.earlyMe`), and that answer is taken: one round trip off the first
/// screen of every visit.
pub async fn me() -> Result<UserEnvelope, ApiFailure> {
    let answer = match take_early("earlyMe") {
        Some(request) => {
            let response = JsFuture::from(request).await.map_err(|_| network())?;
            read(response.unchecked_into()).await?
        }
        None => send("GET", path(Endpoint::Me), None).await?,
    };
    decode(answer)
}

/// The request index.html started under `name`, once: a later call asks afresh.
fn take_early(name: &str) -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    let key = JsValue::from_str(name);
    let request = js_sys::Reflect::get(&window, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    request.dyn_into().ok()
}

/// The first page index.html asks for on the token list's unfiltered address (its script
/// names this URL; a test holds the two together).
const EARLY_TOKENS_URL: &str = "/api/tokens?limit=50&sort=createdAt&order=desc";

/// One page of the token list; the query string is the shared type's own. The first call
/// takes the page index.html asked for (and parsed) while the app downloaded, when it is this
/// very query and was answered; otherwise (or when the role could not read tokens) it asks.
pub async fn list_tokens(query: &TokenQuery) -> Result<TokenList, ApiFailure> {
    let pairs = query.to_query_pairs();
    let url = with_query(
        &path(Endpoint::ListTokens),
        pairs.iter().map(|(k, v)| (*k, v.as_str())),
    );
    if let Some(early) = take_early("earlyTokens").filter(|_| url == EARLY_TOKENS_URL) {
        if let Some(body) = JsFuture::from(early).await.ok().filter(|b| b.is_object()) {
            return decode(Answer {
                status: 200,
                body: Ok(body),
            });
        }
    }
    decode(send("GET", url, None).await?)
}

/// One part of the chain's verification: from the start, or after the part before (its
/// `next` and `head`).
pub async fn verify_audit(after: Option<(i64, String)>) -> Result<AuditVerification, ApiFailure> {
    let pairs = match after {
        Some((seq, head)) => vec![("after", seq.to_string()), ("head", head)],
        None => Vec::new(),
    };
    decode(get_page(Endpoint::VerifyAudit, pairs).await?)
}

/// One page of the audit log: the filters, and the cursor of the page before.
pub async fn list_audit(query: &AuditQuery) -> Result<AuditList, ApiFailure> {
    decode(get_page(Endpoint::ListAudit, query.pairs()).await?)
}

/// One page of agents: the filters, and the server's cursor where the page before ended.
pub async fn list_agents(query: &AgentQuery, after: Option<&str>) -> Result<AgentList, ApiFailure> {
    let mut pairs = query.pairs();
    pairs.extend(after.map(|c| ("cursor", c.to_owned())));
    decode(get_page(Endpoint::ListAgents, pairs).await?)
}

/// `GET` of a list endpoint with this query string.
fn get_page(endpoint: Endpoint, pairs: Vec<(&'static str, String)>) -> Pending {
    let url = with_query(&path(endpoint), pairs.iter().map(|(k, v)| (*k, v.as_str())));
    send("GET", url, None)
}

/// The URL Telegraf's `--config` takes for a configuration, on this origin.
pub fn config_toml_url(id: impl Display) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let toml = Endpoint::ConfigToml.route().url(&[&id.to_string()]);
    format!("{origin}{toml}")
}

fn texts(ids: &[TokenId]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

/// `path` with `pairs` as its query string, encoded by the browser.
fn with_query<'a>(path: &str, pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let Ok(params) = web_sys::UrlSearchParams::new() else {
        return path.to_owned();
    };
    for (key, value) in pairs {
        params.append(key, value);
    }
    let query = String::from(params.to_string());
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// A request body as JSON text (`crate::encode`: no JSON library in the app).
fn encode<B: Serialize>(body: &B) -> Result<String, ApiFailure> {
    crate::encode::to_json(body).map_err(|_| not_encoded())
}

/// Not generic, like [`not_understood`].
#[inline(never)]
fn not_encoded() -> ApiFailure {
    ApiFailure {
        status: 0,
        code: "encode_error".into(),
        ids: Vec::new(),
        message: "This page could not prepare the request. Reload the page and try again.".into(),
    }
}

/// What a successful call answered: its status and its JSON body, parsed by the browser
/// (`null` for 204 No Content). Every call goes through here, so the app has one fetch.
pub(crate) struct Answer {
    status: u16,
    body: Result<JsValue, ()>,
}

/// A request's answer on its way. Boxed, so that the one state machine of a fetch is shared
/// by every call rather than copied into each caller's future (about 20 KB of the app).
type Pending = Pin<Box<dyn Future<Output = Result<Answer, ApiFailure>>>>;

fn send(method: &'static str, url: String, body: Option<String>) -> Pending {
    Box::pin(async move {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        if let Some(body) = &body {
            let headers = web_sys::Headers::new().map_err(|_| network())?;
            headers
                .set("Content-Type", "application/json")
                .map_err(|_| network())?;
            init.set_headers(&headers);
            init.set_body(&JsValue::from_str(body));
        }
        let window = web_sys::window().ok_or_else(network)?;
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init(&url, &init))
                .await
                .map_err(|_| network())?
                .unchecked_into();
        read(response).await
    })
}

/// The answer's body, or the failure it describes.
fn read(response: web_sys::Response) -> Pending {
    Box::pin(async move {
        let status = response.status();
        let body = if status == 204 {
            Ok(JsValue::NULL)
        } else {
            match response.json() {
                Ok(promise) => JsFuture::from(promise).await.map_err(|_| ()),
                Err(_) => Err(()),
            }
        };
        if response.ok() {
            Ok(Answer { status, body })
        } else {
            Err(failure(status, &response.status_text(), body))
        }
    })
}

/// The answer as `T`; a `()` answer is 204 No Content, which has no body to read.
fn decode<T: DeserializeOwned>(answer: Answer) -> Result<T, ApiFailure> {
    let status = answer.status;
    answer
        .body
        .ok()
        .and_then(|body| crate::decode::from_value(body).ok())
        .ok_or_else(|| not_understood(status))
}

/// Not generic: the one failure for an answer of the wrong shape, whatever shape was expected.
#[inline(never)]
fn not_understood(status: u16) -> ApiFailure {
    ApiFailure {
        status,
        code: "decode_error".into(),
        ids: Vec::new(),
        message: "The server sent an answer this page does not understand, perhaps after an \
                  update. Reload the page."
            .into(),
    }
}

/// Where to go when the session has ended; the page the user was on comes back after sign-in.
pub const SIGN_IN_PATH: &str = "/signin";

fn failure(status: u16, status_text: &str, body: Result<JsValue, ()>) -> ApiFailure {
    let error = body
        .ok()
        .and_then(|body| crate::decode::from_value::<ErrorBody>(body).ok());
    match error {
        Some(body) => {
            if status == 401 && body.error == ErrorCode::Unauthenticated {
                redirect_to_sign_in();
            }
            ApiFailure {
                status,
                code: body.error.as_str().to_owned(),
                message: body.message,
                ids: body.ids,
            }
        }
        None => ApiFailure {
            status,
            code: "http_error".into(),
            ids: Vec::new(),
            message: format!("The server answered {status} {status_text}. Try again in a moment."),
        },
    }
}

thread_local! {
    /// What to keep before the session's end sends the browser to sign-in (a form's draft).
    static BEFORE_SIGN_IN: std::cell::RefCell<Option<Box<dyn Fn()>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `keep` if the session ends while it is set (`None` unsets it): a form open at that
/// moment keeps what was typed.
pub fn before_sign_in(keep: Option<Box<dyn Fn()>>) {
    BEFORE_SIGN_IN.with(|hook| *hook.borrow_mut() = keep);
}

/// A missing or expired session sends the browser to sign-in, remembering where it was.
fn redirect_to_sign_in() {
    let location = web_sys::window().map(|w| w.location());
    let Some(location) = location else { return };
    let path = location.pathname().unwrap_or_default();
    if path == SIGN_IN_PATH || path == "/setup" {
        return;
    }
    BEFORE_SIGN_IN.with(|hook| {
        if let Some(keep) = hook.borrow().as_ref() {
            keep();
        }
    });
    let next = js_sys::encode_uri_component(&path);
    let _ = location.assign(&format!("{SIGN_IN_PATH}?next={next}"));
}

fn network() -> ApiFailure {
    ApiFailure {
        status: 0,
        code: "network_error".into(),
        ids: Vec::new(),
        message: "Could not reach the server. Check your connection, then try again.".into(),
    }
}

#[cfg(test)]
mod tests;
