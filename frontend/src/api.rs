//! The API client: the only place in the app that knows URLs. One private request helper,
//! one small public function per endpoint.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use shared::api::{CreateTokenRequest, CreatedToken, TokenList};
use shared::ErrorBody;
use std::fmt;

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

pub async fn list_tokens() -> Result<TokenList, ApiFailure> {
    json(Request::get("/api/tokens").query([("limit", "200")])).await
}

pub async fn create_token(name: String) -> Result<CreatedToken, ApiFailure> {
    let body = CreateTokenRequest { name };
    json_with_body(Request::post("/api/tokens"), &body).await
}

pub async fn delete_token(id: &str) -> Result<(), ApiFailure> {
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
        message: format!("The server sent an answer this page does not understand ({e}). Reload the page."),
    })
}

async fn failure(response: Response) -> ApiFailure {
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => ApiFailure { status, code: body.error, message: body.message },
        Err(_) => ApiFailure {
            status,
            code: "http_error".into(),
            message: format!("The server answered {status} {}. Try again in a moment.", response.status_text()),
        },
    }
}

fn network(e: gloo_net::Error) -> ApiFailure {
    ApiFailure {
        status: 0,
        code: "network_error".into(),
        message: format!("Could not reach the server ({e}). Check the connection and try again."),
    }
}
