//! `/api/configs`: Telegraf configurations, managed as JSON and fetched by agents as TOML
//! with `Last-Modified`, so `--config-url-watch-interval` polling with HEAD sees edits.

use crate::context::Ctx;
use crate::db::{
    self,
    configs::{Write, WriteError},
};
use crate::error::ApiError;
use crate::http::read_json;
use crate::platform::new_uuid;
use crate::response::{json, no_content};
use shared::api::{Config, ConfigList, ConfigRequest};
use shared::config::{validate_toml, ConfigName, TOML_MAX_BYTES};
use shared::time::{http_date, millis_from_http_date};
use shared::token_scope::ConfigScope;
use shared::{ConfigId, ErrorCode};
use worker::{Headers, Request, Response};

/// Every configuration; for a token scoped to some, those only.
pub async fn list(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    let items = db::configs::list(&cx.db, &cx.who.config_scope()).await?;
    Ok(json(200, &ConfigList { items }))
}

pub async fn get(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    Ok(json(200, &find(cx, raw_id).await?))
}

pub async fn create(cx: &mut Ctx<'_>) -> Result<Response, ApiError> {
    if cx.who.config_scope() != ConfigScope::All {
        return Err(ApiError::forbidden(
            "this token reaches only the configurations in its scope, so it cannot create one: use a token of all configurations, or the app",
        ));
    }
    let id = ConfigId::from_uuid(new_uuid());
    Ok(json(201, &write(cx, Write::Insert(id)).await?))
}

pub async fn update(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = in_scope(cx, raw_id)?;
    Ok(json(200, &write(cx, Write::Update(id)).await?))
}

pub async fn delete(cx: &mut Ctx<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = in_scope(cx, raw_id)?;
    if db::configs::delete(&cx.db, id, cx.now, &cx.audit_actor()).await? {
        Ok(no_content())
    } else {
        Err(ApiError::config_not_found(id))
    }
}

async fn find(cx: &Ctx<'_>, raw_id: &str) -> Result<Config, ApiError> {
    let id = in_scope(cx, raw_id)?;
    db::configs::get(&cx.db, id)
        .await?
        .ok_or_else(|| ApiError::config_not_found(id))
}

/// Validates the body and writes it: one round trip to D1, which answers the stored row.
async fn write(cx: &mut Ctx<'_>, write: Write) -> Result<Config, ApiError> {
    let body: ConfigRequest = read_json(cx.req).await?;
    let (name, toml) = validate(&body)?;
    let (Write::Insert(id) | Write::Update(id)) = write;
    db::configs::write(&cx.db, write, &name, toml, cx.now, &cx.audit_actor())
        .await
        .map_err(|e| write_error(e, &name))?
        .ok_or_else(|| ApiError::config_not_found(id))
}

/// `GET|HEAD /api/configs/{id}/toml`'s answer for the configuration the agent path read: the
/// TOML with `Last-Modified` at second precision, and 304 when `If-Modified-Since` is not
/// older than the last edit.
pub fn toml(req: &Request, row: Config) -> Response {
    let modified_second = row.updated_at.millis().div_euclid(1000) * 1000;
    let last_modified = http_date(row.updated_at.millis()).unwrap_or_default();
    let headers = Headers::new();
    let _ = headers.set("Last-Modified", &last_modified);
    // Agents must revalidate every time; an edit has to reach them on their next poll.
    let _ = headers.set("Cache-Control", "no-cache");
    let since = req
        .headers()
        .get("If-Modified-Since")
        .ok()
        .flatten()
        .and_then(|v| millis_from_http_date(&v));
    if since.is_some_and(|since| modified_second <= since) {
        return Response::builder()
            .with_status(304)
            .with_headers(headers)
            .empty();
    }
    let _ = headers.set("Content-Type", "application/toml; charset=utf-8");
    Response::builder()
        .with_status(200)
        .with_headers(headers)
        .fixed(row.toml.into_bytes())
}

fn validate(body: &ConfigRequest) -> Result<(ConfigName, &str), ApiError> {
    let name = ConfigName::parse(&body.name)?;
    if body.toml.len() > TOML_MAX_BYTES {
        return Err(ApiError::invalid(format!(
            "toml must be at most {} KiB",
            TOML_MAX_BYTES / 1024
        )));
    }
    validate_toml(&body.toml)?;
    Ok((name, &body.toml))
}

fn write_error(e: WriteError, name: &ConfigName) -> ApiError {
    match e {
        WriteError::NameTaken => ApiError::conflict(
            ErrorCode::ConfigNameConflict,
            format!("a configuration named \"{name}\" already exists; choose another name"),
        ),
        WriteError::Db(e) => e.into(),
    }
}

/// The path's configuration id, when the caller's scope reaches it: a configuration outside
/// a token's scope is a 404, whether or not it exists.
fn in_scope(cx: &Ctx<'_>, raw: &str) -> Result<ConfigId, ApiError> {
    let id = config_id(raw)?;
    match cx.who.config_scope().allows(id) {
        true => Ok(id),
        false => Err(ApiError::outside_config_scope()),
    }
}

pub(crate) fn config_id(raw: &str) -> Result<ConfigId, ApiError> {
    ConfigId::parse(raw)
        .ok_or_else(|| ApiError::invalid_id("the configuration id in the path must be a UUID"))
}
