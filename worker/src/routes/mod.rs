//! Request dispatch: resolves the method and path against the shared route table,
//! authenticates once for every non-public endpoint, checks the route's declared access once,
//! before any handler, and turns every outcome, error or not, into a response.

mod agents;
mod auth;
mod configs;
mod health;
mod openapi;
mod tokens;
mod users;

use crate::auth::{
    authenticate, authenticate_agent, require_same_origin, session_cookie, Credential, Principal,
};
use crate::db;
use crate::error::ApiError;
use crate::http::{client_ip, with_header};
use shared::account::SESSION_IDLE_MS;
use shared::routes::{resolve, Access, Endpoint, Resolution};
use shared::ErrorCode;
use worker::{Context, Env, Request, Response};

pub async fn handle(mut req: Request, env: Env, ctx: Context) -> Response {
    let method = req.method().to_string();
    let path = req.path();
    let https = req.url().is_ok_and(|u| u.scheme() == "https");
    let response = dispatch(&mut req, &env, &ctx, &method, &path)
        .await
        .unwrap_or_else(ApiError::into_response);
    let response = crate::http::with_security_headers(response, https);
    if method == "HEAD" {
        without_body(response)
    } else {
        response
    }
}

async fn dispatch(
    req: &mut Request,
    env: &Env,
    ctx: &Context,
    method: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let (endpoint, params) = match resolve(method, path) {
        Resolution::Found(endpoint, params) => (endpoint, params),
        Resolution::MethodNotAllowed(allowed) => return Err(ApiError::MethodNotAllowed(allowed)),
        Resolution::NotFound => {
            let shown: String = path.chars().take(200).collect();
            return Err(ApiError::client(
                ErrorCode::NotFound,
                format!("there is no API endpoint at {method} {shown}"),
            ));
        }
    };
    let param = |i: usize| params.get(i).copied().unwrap_or_default();
    let access = endpoint.access();

    if access == Access::Public {
        return match endpoint {
            Endpoint::Health => Ok(health::get()),
            Endpoint::AuthStatus => auth::status(env).await,
            Endpoint::Setup => auth::setup(req, env).await,
            Endpoint::Login => auth::login(req, env).await,
            Endpoint::OpenApi => Ok(openapi::get()),
            other => Err(ApiError::Internal(format!(
                "{other:?} is declared public but has no public handler"
            ))),
        };
    }

    let db = db::database(env)?;
    let principal = if let Access::Agent(..) = access {
        authenticate_agent(req, env, &db).await?
    } else {
        authenticate(req, env, &db).await?
    };
    if let Some(token) = principal.token() {
        // The lookup already read the last-used time: within the minute there is nothing to
        // record, and not even a query is sent.
        let now = crate::platform::now_ms();
        if token
            .last_used_at
            .is_none_or(|at| at <= now - db::tokens::LAST_USED_EVERY_MS)
        {
            record_use(req, env, ctx, token.id.clone(), now);
        }
    }
    let changes_state = !matches!(method, "GET" | "HEAD" | "OPTIONS");
    if principal.is_session() && changes_state {
        require_same_origin(req)?;
    }
    let response = match principal.check(access) {
        Err(refused) => Err(refused),
        Ok(()) => handle_endpoint(req, env, endpoint, &principal, param(0)).await,
    };
    Ok(renew_cookie(
        req,
        &principal,
        response.unwrap_or_else(ApiError::into_response),
    ))
}

/// Runs the handler of an endpoint whose access has been checked.
async fn handle_endpoint(
    req: &mut Request,
    env: &Env,
    endpoint: Endpoint,
    principal: &Principal,
    id: &str,
) -> Result<Response, ApiError> {
    match endpoint {
        Endpoint::Logout => auth::logout(req, env, principal).await,
        Endpoint::Me => auth::me(env, principal).await,
        Endpoint::ListUsers => users::list(env).await,
        Endpoint::CreateUser => users::create(req, env, principal).await,
        Endpoint::UpdateUser => users::update(req, env, principal, id).await,
        Endpoint::DeleteUser => users::delete(env, principal, id).await,
        Endpoint::TransferOwnership => {
            users::transfer_ownership(env, principal, id).await
        }
        Endpoint::ListTokens => tokens::list(req, env, principal).await,
        Endpoint::CreateToken => tokens::create(req, env, principal).await,
        Endpoint::TokenCapabilities => tokens::capabilities(env),
        Endpoint::BulkDeleteTokens => tokens::bulk_delete(req, env, principal).await,
        Endpoint::BulkRevokeTokens => tokens::bulk_revoke(req, env, principal).await,
        Endpoint::BulkReassignTokens => tokens::bulk_reassign(req, env, principal).await,
        Endpoint::GetToken => tokens::get(env, principal, id).await,
        Endpoint::TokenHistory => tokens::history(env, principal, id).await,
        Endpoint::ReassignToken => tokens::reassign(req, env, principal, id).await,
        Endpoint::RevokeToken => tokens::revoke(env, principal, id).await,
        Endpoint::DeleteToken => tokens::delete(env, principal, id).await,
        Endpoint::ListConfigs => configs::list(env).await,
        Endpoint::CreateConfig => configs::create(req, env).await,
        Endpoint::GetConfig => configs::get(env, id).await,
        Endpoint::UpdateConfig => configs::update(req, env, id).await,
        Endpoint::DeleteConfig => configs::delete(env, id).await,
        Endpoint::ConfigToml => configs::toml(req, env, id).await,
        Endpoint::ListAgents => agents::list(env, principal).await,
        Endpoint::Heartbeat => agents::heartbeat(req, env, principal).await,
        Endpoint::Health
        | Endpoint::AuthStatus
        | Endpoint::Setup
        | Endpoint::Login
        | Endpoint::OpenApi => Err(ApiError::Internal(format!(
            "public endpoint {endpoint:?} reached the authenticated dispatch"
        ))),
    }
}

/// Last-used bookkeeping runs after the response (`wait_until`), off the caller's path; the
/// write itself happens at most once a minute per token (see `db::tokens::record_use`).
fn record_use(req: &Request, env: &Env, ctx: &Context, token_id: String, now: i64) {
    let ip = client_ip(req);
    let user_agent = req
        .headers()
        .get("User-Agent")
        .ok()
        .flatten()
        .map(|a| a.chars().take(255).collect::<String>());
    let env = env.clone();
    ctx.wait_until(async move {
        let result = match db::database(&env) {
            Ok(db) => {
                db::tokens::record_use(&db, &token_id, now, ip.as_deref(), user_agent.as_deref())
                    .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            worker::console_error!("recording token use failed: {e}");
        }
    });
}

/// A session whose expiry slid on this request gets its cookie's lifetime renewed too.
fn renew_cookie(req: &Request, principal: &Principal, response: Response) -> Response {
    match &principal.credential {
        Credential::Session {
            renewed_until: Some(_),
            ..
        } => {
            let Some(value) = crate::auth::session_cookie_value(req) else {
                return response;
            };
            with_header(
                response,
                "Set-Cookie",
                &session_cookie(req, &value, SESSION_IDLE_MS),
            )
        }
        _ => response,
    }
}

/// HEAD answers carry the GET answer's status and headers, and no body.
fn without_body(response: Response) -> Response {
    let status = response.status_code();
    let headers = response.headers().clone();
    Response::builder()
        .with_status(status)
        .with_headers(headers)
        .empty()
}
