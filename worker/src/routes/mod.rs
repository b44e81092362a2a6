//! Request dispatch: resolves the method and path against the shared route table,
//! authenticates once for every non-public endpoint, checks the route's declared access once,
//! before any handler, and turns every outcome, error or not, into a response.

mod agents;
mod audit;
mod auth;
pub(crate) mod configs;
mod health;
mod openapi;
mod scanning;
mod settings;
mod token_create;
mod token_rotate;
mod token_scope;
mod tokens;
mod tokens_bulk;
mod users;

use crate::auth::authenticate;
use crate::browser::{require_same_origin, session_cookie, session_cookie_value};
use crate::context::Ctx;
use crate::db;
use crate::error::ApiError;
use crate::http::client_ip;
use crate::principal::Credential;
use crate::response::{json, with_header, with_security_headers};
use shared::account::SESSION_IDLE_MS;
use shared::audit::AuditAction;
use shared::routes::{resolve, Access, Endpoint, Resolution};
use shared::{ErrorCode, TokenId};
use worker::{Context, Env, Request, Response};

pub async fn handle(mut req: Request, env: Env, ctx: Context) -> Response {
    let method = req.method().to_string();
    let path = req.path();
    let https = req.url().is_ok_and(|u| u.scheme() == "https");
    let response = dispatch(&mut req, &env, &ctx, &method, &path)
        .await
        .unwrap_or_else(ApiError::into_response);
    let response = with_security_headers(response, https);
    if method == "HEAD" {
        without_body(response)
    } else {
        response
    }
}

async fn dispatch(
    req: &mut Request,
    env: &Env,
    worker_ctx: &Context,
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
    let id = params.first().copied().unwrap_or_default();
    let access = endpoint.access();
    let mut cx = Ctx::new(req, env)?;

    if access == Access::Signed {
        // The body's signature is the credential; the handler checks it before anything.
        let response = match endpoint {
            Endpoint::SecretScanning => scanning::report(&mut cx).await,
            other => Err(ApiError::Internal(format!(
                "{other:?} is declared signed but has no signed handler"
            ))),
        };
        seal_after(&response, env, worker_ctx);
        return response;
    }

    if access == Access::Public {
        return match endpoint {
            Endpoint::Health => Ok(health::get()),
            Endpoint::AuthStatus => auth::status(&cx).await,
            Endpoint::Setup => auth::setup(&mut cx).await,
            Endpoint::Login => auth::login(&mut cx).await,
            Endpoint::OpenApi => Ok(openapi::get()),
            other => Err(ApiError::Internal(format!(
                "{other:?} is declared public but has no public handler"
            ))),
        };
    }

    // Agents' calls take their own path (`crate::agent`): one round trip, token only.
    if let Access::Agent(..) = access {
        return crate::agent::answer(cx, worker_ctx, endpoint, id).await;
    }
    let who = authenticate(&cx, access).await?;
    let mut cx = cx.signed_in(who);
    let allowed = cx.who.check(access);
    // A token is "used" when its request was allowed: one refused for want of a permission
    // on every request must not read "Last used: just now".
    if allowed.is_ok() {
        record_use_when_due(&cx, worker_ctx);
    }
    let changes_state = !matches!(method, "GET" | "HEAD" | "OPTIONS");
    if cx.who.is_session() && changes_state {
        require_same_origin(cx.req)?;
    }
    let response = match allowed {
        Err(refused) => {
            record_denial(&cx, endpoint, &refused, env, worker_ctx);
            Err(refused)
        }
        Ok(()) => handle_endpoint(&mut cx, endpoint, id).await,
    };
    if changes_state {
        seal_after(&response, env, worker_ctx);
    }
    Ok(renew_cookie(
        &cx,
        response.unwrap_or_else(ApiError::into_response),
    ))
}

/// A management route's access check refused the caller (403): recorded as a `denied` audit
/// entry, at most one a minute per caller and route (`db::audit_denials`), after the answer.
fn record_denial(
    cx: &Ctx<'_>,
    endpoint: Endpoint,
    refused: &ApiError,
    env: &Env,
    worker_ctx: &Context,
) {
    let ApiError::Client {
        code: ErrorCode::Forbidden,
        message,
        ..
    } = refused
    else {
        return;
    };
    let Some(action) = AuditAction::attempted(endpoint) else {
        return;
    };
    let route = endpoint.route();
    let route = format!("{} {}", route.method, route.path);
    let (actor, reason, now, env) = (cx.audit_actor(), message.clone(), cx.now, env.clone());
    worker_ctx.wait_until(async move {
        let recorded = async {
            let db = db::database(&env)?;
            let denial = db::audit_denials::Denial {
                route: &route,
                action,
                reason: &reason,
            };
            db::audit_denials::record(&db, &actor, &denial, now).await?;
            crate::forward::seal_and_forward(&db, &env).await
        };
        if let Err(e) = recorded.await {
            worker::console_error!("recording a denied attempt failed: {e}");
        }
    });
}

/// A change that succeeded appended an audit entry in its own batch; the entry is chained
/// (sealed) after the answer has gone, off the caller's path.
fn seal_after(response: &Result<Response, ApiError>, env: &Env, ctx: &Context) {
    if !response.as_ref().is_ok_and(|r| r.status_code() < 400) {
        return;
    }
    let env = env.clone();
    ctx.wait_until(async move {
        let sealed = match db::database(&env) {
            Ok(db) => crate::forward::seal_and_forward(&db, &env).await,
            Err(e) => Err(e),
        };
        if let Err(e) = sealed {
            worker::console_error!("sealing the audit log failed: {e}");
        }
    });
}

/// Runs the handler of an endpoint whose access has been checked.
async fn handle_endpoint(
    cx: &mut Ctx<'_>,
    endpoint: Endpoint,
    id: &str,
) -> Result<Response, ApiError> {
    match endpoint {
        Endpoint::Logout => auth::logout(cx).await,
        Endpoint::Me => auth::me(cx).await,
        Endpoint::ListUsers => users::list(cx).await,
        Endpoint::CreateUser => users::create(cx).await,
        Endpoint::UpdateUser => users::update(cx, id).await,
        Endpoint::DeleteUser => users::delete(cx, id).await,
        Endpoint::TransferOwnership => users::transfer_ownership(cx, id).await,
        Endpoint::ChangePassword => auth::change_password(cx).await,
        Endpoint::SetPassword => users::set_password(cx, id).await,
        Endpoint::ListTokens => tokens::list(cx).await,
        Endpoint::CreateToken => token_create::create(cx).await,
        Endpoint::TokenCapabilities => token_create::capabilities(cx),
        Endpoint::BulkDeleteTokens => tokens_bulk::delete(cx).await,
        Endpoint::BulkRevokeTokens => tokens_bulk::revoke(cx).await,
        Endpoint::BulkReassignTokens => tokens_bulk::reassign(cx).await,
        Endpoint::GetToken => tokens::get(cx, id).await,
        Endpoint::TokenHistory => tokens::history(cx, id).await,
        Endpoint::ReassignToken => tokens::reassign(cx, id).await,
        Endpoint::RevokeToken => tokens::revoke(cx, id).await,
        Endpoint::DeleteToken => tokens::delete(cx, id).await,
        Endpoint::RotateToken => token_rotate::rotate(cx, id).await,
        Endpoint::UpdateToken => token_scope::update(cx, id).await,
        Endpoint::ListAudit => audit::list(cx).await,
        Endpoint::VerifyAudit => audit::verify(cx).await,
        Endpoint::ExportAudit => audit::export(cx).await,
        Endpoint::AuditForwarding => Ok(json(200, &crate::forward::status(&cx.db, cx.env).await?)),
        Endpoint::ListConfigs => configs::list(cx).await,
        Endpoint::CreateConfig => configs::create(cx).await,
        Endpoint::GetConfig => configs::get(cx, id).await,
        Endpoint::UpdateConfig => configs::update(cx, id).await,
        Endpoint::DeleteConfig => configs::delete(cx, id).await,
        Endpoint::ListAgents => agents::list(cx).await,
        Endpoint::GetTokenPolicy => settings::get(cx).await,
        Endpoint::SetTokenPolicy => settings::set(cx).await,
        Endpoint::ConfigToml
        | Endpoint::Heartbeat
        | Endpoint::Health
        | Endpoint::AuthStatus
        | Endpoint::Setup
        | Endpoint::Login
        | Endpoint::SecretScanning
        | Endpoint::OpenApi => Err(ApiError::Internal(format!(
            "an agent's, public or signed endpoint {endpoint:?} reached the people's dispatch"
        ))),
    }
}

/// Records that the request's token was used, when it is one and its last use is over a
/// minute old: the lookup already read the last-used time, so within the minute there is
/// nothing to record and not even a query is sent.
pub(crate) fn record_use_when_due(cx: &Ctx<'_>, worker_ctx: &Context) {
    if let Some(token) = cx.who.token().filter(|t| t.use_due(cx.now)) {
        record_use(
            cx.req,
            cx.env,
            worker_ctx,
            token.id,
            cx.now,
            token.via_previous,
        );
    }
}

/// Last-used bookkeeping runs after the response (`wait_until`), off the caller's path; the
/// write itself happens at most once a minute per token (see `db::token_auth::record_use`).
fn record_use(
    req: &Request,
    env: &Env,
    ctx: &Context,
    token_id: TokenId,
    now: i64,
    via_previous: bool,
) {
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
                db::token_auth::record_use(
                    &db,
                    token_id,
                    now,
                    ip.as_deref(),
                    user_agent.as_deref(),
                    via_previous,
                )
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
fn renew_cookie(cx: &Ctx<'_>, response: Response) -> Response {
    match &cx.who.credential {
        Credential::Session {
            renewed_until: Some(_),
            ..
        } => {
            let Some(value) = session_cookie_value(cx.req) else {
                return response;
            };
            with_header(
                response,
                "Set-Cookie",
                &session_cookie(cx.req, &value, SESSION_IDLE_MS),
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
