//! The OpenAPI 3 document of the API, assembled from [`ROUTES`]: every route gets the
//! operation [`operation`] (in `operations.rs`) describes, and that match is exhaustive, so a new endpoint cannot
//! compile without its documentation. Each operation's security and its 401 and 403 answers
//! come from the route's declared [`Access`], the same field dispatch enforces.

use crate::listing::MAX_LIMIT;
use crate::routes::{Access, Endpoint, ROUTES};
use serde_json::{json, Map, Value};

pub(crate) mod derive;
use derive::schemas;
mod operations;
use operations::operation;

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let item = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        if let Some(item) = item.as_object_mut() {
            item.insert(
                route.method.to_ascii_lowercase(),
                operation(route.endpoint).build(route.access),
            );
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Telegraf fleet controller: API tokens",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Manage the API tokens Telegraf agents use. Errors are always {\"error\", \"message\"} with a 4xx status; bodies over 64 KiB are 413; JSON bodies need Content-Type: application/json (else 415); unknown fields are 400."
        },
        "servers": [{ "url": "/" }],
        "paths": paths,
        "components": { "securitySchemes": security_schemes(), "schemas": schemas(), "parameters": parameters() }
    })
}

fn security_schemes() -> Value {
    json!({
        "bearerToken": { "type": "http", "scheme": "bearer", "description": "Authorization: Bearer tc-apiv1_<64 hex> (Telegraf 1.39+)" },
        "tokenScheme": { "type": "apiKey", "in": "header", "name": "Authorization", "description": "Authorization: Token tc-apiv1_<64 hex> (Telegraf 1.38 and earlier)" },
        "session": { "type": "apiKey", "in": "cookie", "name": "__Host-tc_session", "description": "Browser session from POST /api/auth/login (named tc_session over plain http on localhost); changes must come from the same origin." }
    })
}

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema(name) } } })
}

fn ok(status: &str, description: &str, name: &str) -> (String, Value) {
    (
        status.to_owned(),
        json!({ "description": description, "content": { "application/json": { "schema": schema(name) } } }),
    )
}

fn empty(status: &str, description: &str) -> (String, Value) {
    (status.to_owned(), json!({ "description": description }))
}

fn error(status: &str, description: &str) -> (String, Value) {
    ok(status, description, "Error")
}

/// What a caller without the route's access is answered, in the words of its [`Access`].
fn access_errors(access: Access) -> Vec<(String, Value)> {
    let needs = |resource: crate::permissions::Resource, action: crate::permissions::Action| {
        format!("{}:{}", resource.as_str(), action.as_str())
    };
    // Whoever presents OWNER_TOKEN's value when it is not a token string is told so.
    let owner_token = || {
        error(
            "503",
            "misconfigured: the token presented is OWNER_TOKEN's value, which is not a token string",
        )
    };
    let throttled = || {
        error(
            "429",
            "Too many invalid tokens from this address; see Retry-After",
        )
    };
    match access {
        Access::Public => vec![],
        Access::SignedIn => vec![error("401", "No valid session or API token"), throttled(), owner_token()],
        Access::Needs(r, a) => vec![
            error("401", "No valid session or API token"),
            error("403", &format!("The credential lacks {}, or a cookie change came from another origin", needs(r, a))),
            throttled(),
            owner_token(),
        ],
        Access::Agent(r, a) => vec![
            error("401", "Missing or invalid Authorization header, Invalid token format, Invalid token, Token expired, Token revoked, Token owner is disabled"),
            error("403", &format!("The token lacks {}", needs(r, a))),
            throttled(),
            owner_token(),
        ],
        Access::Person(r, a) => vec![
            error("401", "No valid session"),
            error("403", &format!("Not a session (API tokens cannot do this), or the role lacks {}", needs(r, a))),
            throttled(),
        ],
        Access::OwnAccount => vec![
            error("401", "No valid session"),
            error("403", "Not a session: API tokens cannot do this"),
            throttled(),
        ],
        Access::Signed => vec![error(
            "401",
            "Missing or unknown Github-Public-Key-Identifier, or a signature that does not verify over the body",
        )],
    }
}

/// The security requirement of a route: none for public routes, only the session cookie for a
/// person's act, only a token for agents, any credential otherwise.
fn security(access: Access) -> Value {
    match access {
        Access::Public | Access::Signed => json!([]),
        Access::Person(..) | Access::OwnAccount => json!([{ "session": [] }]),
        Access::Agent(..) => json!([{ "bearerToken": [] }, { "tokenScheme": [] }]),
        Access::SignedIn | Access::Needs(..) => {
            json!([{ "bearerToken": [] }, { "tokenScheme": [] }, { "session": [] }])
        }
    }
}

struct Op<'a> {
    id: &'a str,
    summary: &'a str,
    tag: &'a str,
    id_param: bool,
    query: Vec<Value>,
    body: Option<&'a str>,
    responses: Vec<(String, Value)>,
}

impl Op<'_> {
    fn build(self, access: Access) -> Value {
        let mut responses = Map::new();
        let mut defaults = vec![error(
            "400",
            "Malformed input; the message names the problem",
        )];
        if self.body.is_some() {
            defaults.push(error("413", "Body over 64 KiB"));
            defaults.push(error("415", "Body not sent as application/json"));
        }
        let mut permission = String::new();
        if let Some((r, a)) = access.permission() {
            permission = format!(" Needs {}:{}.", r.as_str(), a.as_str());
        }
        for (status, value) in defaults
            .into_iter()
            .chain(access_errors(access))
            .chain(self.responses)
        {
            // A route's own 503 (a setting it needs) joins the access check's (OWNER_TOKEN);
            // elsewhere the route's own words replace the general ones.
            match responses.get_mut(&status) {
                Some(Value::Object(had)) if status == "503" => {
                    let both = format!(
                        "{}; or {}",
                        had["description"].as_str().unwrap_or(""),
                        value["description"].as_str().unwrap_or("")
                    );
                    had.insert("description".into(), Value::String(both));
                }
                _ => {
                    responses.insert(status, value);
                }
            }
        }
        let mut parameters = self.query;
        if self.id_param {
            parameters.insert(0, json!({ "$ref": "#/components/parameters/id" }));
        }
        let mut op = json!({
            "operationId": self.id,
            "summary": self.summary,
            "description": format!("{}.{permission}", self.summary),
            "tags": [self.tag],
            "responses": responses,
            "security": security(access),
        });
        if !parameters.is_empty() {
            op["parameters"] = Value::Array(parameters);
        }
        if let Some(name) = self.body {
            op["requestBody"] = body(name);
        }
        op
    }
}

fn parameters() -> Value {
    json!({ "id": { "name": "id", "in": "path", "required": true, "description": "A UUID", "schema": { "type": "string", "format": "uuid" } } })
}

#[cfg(test)]
mod tests;
