//! The OpenAPI document as a contract the tests enforce: every answer the harness's actors
//! receive is checked against the schema the document gives for that route and status, so the
//! document cannot drift from what the worker really sends.

use reqwest::{Client, Method, Request, RequestBuilder, Response};
use serde_json::{json, Map, Value};
use shared::routes::{resolve, Resolution};
use std::sync::OnceLock;

/// The document this test binary checks against (the shared one, which the worker serves; a
/// test proves the two are equal).
fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(shared::openapi::document)
}

/// Sends the request and checks the answer with [`check`], panicking when the worker sent
/// something the document does not describe. The answer is handed back whole.
pub async fn send(client: &Client, request: RequestBuilder) -> Response {
    execute(client, request.build().expect("a well-formed request")).await
}

/// [`send`] for a request already built.
pub async fn execute(client: &Client, request: Request) -> Response {
    let method = request.method().clone();
    let url = request.url().clone();
    let response = client.execute(request).await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let version = response.version();
    let body = response.bytes().await.expect("read the answer");
    if let Err(problem) = check(&method, url.path(), status.as_u16(), &body) {
        panic!("the answer breaks the OpenAPI document: {problem}");
    }
    let mut rebuilt = http::Response::builder().status(status).version(version);
    if let Some(map) = rebuilt.headers_mut() {
        *map = headers;
    }
    Response::from(rebuilt.body(body).expect("rebuild the answer"))
}

/// Checks one answer: its status must be documented for the route, and a JSON body must match
/// the documented schema (timestamps, UUIDs and enums included). `Err` says what differs.
pub fn check(
    method: &Method,
    path_and_query: &str,
    status: u16,
    body: &[u8],
) -> Result<(), String> {
    check_against(document(), method, path_and_query, status, body)
}

/// [`check`] against any document, so a test can show that a wrong one fails.
pub fn check_against(
    doc: &Value,
    method: &Method,
    path_and_query: &str,
    status: u16,
    body: &[u8],
) -> Result<(), String> {
    let path = path_and_query.split('?').next().unwrap_or_default();
    if !(path.starts_with("/api/") || path.starts_with("/agents/")) {
        return Ok(()); // the SPA's pages and assets are not part of the API
    }
    let Resolution::Found(endpoint, _) = resolve(method.as_str(), path) else {
        // Unknown paths and methods are answered by dispatch itself, always with Error.
        return validate(doc, &json!({ "$ref": "#/components/schemas/Error" }), body)
            .map_err(|e| format!("{method} {path} → {status}: {e}"));
    };
    let route = endpoint.route();
    let documented_method = if method == Method::HEAD {
        "get".to_owned()
    } else {
        method.as_str().to_ascii_lowercase()
    };
    let answer = &doc["paths"][route.path][&documented_method]["responses"][status.to_string()];
    if answer.is_null() {
        return Err(format!(
            "{method} {path} answered {status}, which the document does not list for {} {}",
            route.method, route.path
        ));
    }
    let Some(schema) = answer["content"]["application/json"]["schema"].as_object() else {
        return Ok(()); // no JSON body documented (204, 304, TOML)
    };
    if method == Method::HEAD {
        return Ok(()); // the headers of a GET, no body
    }
    validate(doc, &Value::Object(schema.clone()), body)
        .map_err(|e| format!("{method} {path} → {status}: {e}"))
}

fn validate(doc: &Value, schema: &Value, body: &[u8]) -> Result<(), String> {
    let instance: Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        )
    })?;
    let mut root = json_schema(schema);
    if let Some(root) = root.as_object_mut() {
        root.insert(
            "components".into(),
            json!({ "schemas": json_schema(&doc["components"]["schemas"]) }),
        );
    }
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| format!("the document's schema does not compile: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .take(5)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// OpenAPI 3.0's schema dialect in JSON Schema terms: `nullable: true` becomes a `null` type
/// (and a `null` among the allowed values of an enum).
fn json_schema(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, v) in map {
                if key != "nullable" && key != "example" {
                    out.insert(key.clone(), json_schema(v));
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                let Some(Value::String(kind)) = out.get("type").cloned() else {
                    // `{"allOf": [{"$ref": …}], "nullable": true}`: the reference, or null.
                    return json!({ "anyOf": [out, { "type": "null" }] });
                };
                out.insert("type".into(), json!([kind, "null"]));
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(json_schema).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type() {
        assert_eq!(
            json_schema(&json!({"type": "string", "nullable": true, "format": "uuid"})),
            json!({"type": ["string", "null"], "format": "uuid"})
        );
        assert_eq!(
            json_schema(&json!({"allOf": [{"$ref": "#/r"}], "nullable": true})),
            json!({"anyOf": [{"allOf": [{"$ref": "#/r"}]}, {"type": "null"}]})
        );
    }
}
