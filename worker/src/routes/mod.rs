//! Request dispatch: resolves the method and path against the shared route table and turns
//! every outcome, error or not, into a response.

mod health;
mod tokens;

use crate::error::ApiError;
use shared::routes::{resolve, Endpoint, Resolution};
use shared::ErrorCode;
use worker::{Context, Env, Request, Response};

pub async fn handle(mut req: Request, env: Env, _ctx: Context) -> Response {
    let method = req.method().to_string();
    let path = req.path();
    let response = dispatch(&mut req, &env, &method, &path).await.unwrap_or_else(ApiError::into_response);
    if method == "HEAD" {
        without_body(response)
    } else {
        response
    }
}

async fn dispatch(req: &mut Request, env: &Env, method: &str, path: &str) -> Result<Response, ApiError> {
    let (endpoint, params) = match resolve(method, path) {
        Resolution::Found(endpoint, params) => (endpoint, params),
        Resolution::MethodNotAllowed(allowed) => return Err(ApiError::MethodNotAllowed(allowed)),
        Resolution::NotFound => {
            let shown: String = path.chars().take(200).collect();
            return Err(ApiError::client(ErrorCode::NotFound, format!("there is no API endpoint at {method} {shown}")));
        }
    };
    let param = |i: usize| params.get(i).copied().unwrap_or_default();
    match endpoint {
        Endpoint::Health => Ok(health::get()),
        Endpoint::ListTokens => tokens::list(req, env).await,
        Endpoint::CreateToken => tokens::create(req, env).await,
        Endpoint::DeleteToken => tokens::delete(env, param(0)).await,
    }
}

/// HEAD answers carry the GET answer's status and headers, and no body.
fn without_body(response: Response) -> Response {
    let status = response.status_code();
    let headers = response.headers().clone();
    Response::builder().with_status(status).with_headers(headers).empty()
}
