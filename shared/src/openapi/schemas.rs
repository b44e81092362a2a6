//! The component schemas of the OpenAPI document: the JSON shapes of every request and answer,
//! in OpenAPI 3.0 terms (the test harness checks every answer the tests receive against them).

use super::schema;
use serde_json::{json, Value};

fn nullable(kind: &str, format: Option<&str>) -> Value {
    let mut s = json!({ "type": kind, "nullable": true });
    if let Some(f) = format {
        s["format"] = json!(f);
    }
    s
}

pub(super) fn schemas() -> Value {
    let time = json!({ "type": "string", "format": "date-time" });
    let ntime = nullable("string", Some("date-time"));
    let nstring = nullable("string", None);
    let role = json!({ "type": "string", "enum": ["owner", "administrator", "manager", "viewer"] });
    let permissions = json!({ "type": "string", "description": "Comma-separated resource:action pairs, e.g. configs:read,heartbeat:write; resource:* grants read, write and delete", "example": "configs:read,heartbeat:write" });
    let ids = json!({ "type": "array", "minItems": 1, "maxItems": 1000, "uniqueItems": true, "items": { "type": "string", "format": "uuid" } });
    // OpenAPI 3.0 refuses an empty `required`, so it is left out when nothing is.
    let object = |required: &[&str], properties: Value| {
        let mut schema =
            json!({ "type": "object", "additionalProperties": false, "properties": properties });
        if !required.is_empty() {
            schema["required"] = json!(required);
        }
        schema
    };
    json!({
        "Error": object(&["error", "message"], json!({ "error": { "type": "string" }, "message": { "type": "string" } })),
        "Health": object(&["status"], json!({ "status": { "type": "string", "enum": ["ok"] } })),
        "AuthStatus": object(&["setupRequired"], json!({ "setupRequired": { "type": "boolean" } })),
        "SetupRequest": object(&["username", "password"], json!({ "username": { "type": "string" }, "password": { "type": "string", "minLength": 10, "format": "password" }, "displayName": { "type": "string" } })),
        "LoginRequest": object(&["username", "password"], json!({ "username": { "type": "string" }, "password": { "type": "string", "format": "password" } })),
        "User": object(&["id", "username", "displayName", "role", "disabled", "createdAt"], json!({ "id": { "type": "string", "format": "uuid" }, "username": { "type": "string" }, "displayName": { "type": "string" }, "role": role, "disabled": { "type": "boolean" }, "createdAt": time })),
        "UserEnvelope": object(&["user"], json!({ "user": schema("User") })),
        "UserList": object(&["items"], json!({ "items": { "type": "array", "items": schema("User") } })),
        "CreateUserRequest": object(&["username", "password", "role"], json!({ "username": { "type": "string" }, "password": { "type": "string", "minLength": 10, "format": "password" }, "role": role, "displayName": { "type": "string" } })),
        "UpdateUserRequest": object(&[], json!({ "role": role, "disabled": { "type": "boolean" } })),
        "Token": object(
            &["id", "name", "hint", "ownerId", "ownerName", "permissions", "status", "source", "createdAt", "createdBy", "expiresAt", "revokedAt", "revokedBy", "lastUsedAt", "lastUsedIp", "lastUsedAgent", "recentAgents"],
            json!({
                "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" },
                "hint": { "type": "string", "description": "Prefix and last four characters" },
                "ownerId": nullable("string", Some("uuid")), "ownerName": nstring, "permissions": permissions,
                "status": { "type": "string", "enum": ["active", "revoked", "expired"] },
                "source": { "type": "string", "enum": ["user", "preshared", "bootstrap"] },
                "createdAt": time, "createdBy": nstring, "expiresAt": ntime, "revokedAt": ntime, "revokedBy": nstring,
                "lastUsedAt": ntime, "lastUsedIp": nstring, "lastUsedAgent": nstring,
                "recentAgents": { "type": "array", "items": { "type": "string" }, "description": "Agents whose heartbeat used the token in the last 24 hours" }
            })
        ),
        "TokenList": object(&["items", "total", "nextCursor"], json!({ "items": { "type": "array", "items": schema("Token") }, "total": { "type": "integer", "minimum": 0 }, "nextCursor": nstring })),
        "CreateTokenRequest": object(&["name"], json!({
            "name": { "type": "string", "minLength": 1, "maxLength": 255, "description": "The Description; unique" },
            "permissions": permissions,
            "preset": { "type": "string", "enum": ["telegraf-agent", "full-access"] },
            "expiresAt": { "type": "string", "format": "date-time", "description": "In the future; omit for no expiry" },
            "rawToken": { "type": "string", "pattern": "^tc-apiv1_[0-9a-f]{64}$", "description": "A pre-shared token string" }
        })),
        "CreatedToken": object(&["token", "secret"], json!({ "token": schema("Token"), "secret": { "type": "string", "pattern": "^tc-apiv1_[0-9a-f]{64}$" } })),
        "Capabilities": object(&["preSharedTokensEnabled"], json!({ "preSharedTokensEnabled": { "type": "boolean" } })),
        "ReassignRequest": object(&["userId"], json!({ "userId": { "type": "string", "format": "uuid" } })),
        "BulkRequest": object(&["ids"], json!({ "ids": ids })),
        "BulkReassignRequest": object(&["ids", "userId"], json!({ "ids": ids, "userId": { "type": "string", "format": "uuid" } })),
        "BulkDeleted": object(&["deleted"], json!({ "deleted": { "type": "integer" } })),
        "BulkRevoked": object(&["revoked"], json!({ "revoked": { "type": "integer" } })),
        "BulkReassigned": object(&["reassigned"], json!({ "reassigned": { "type": "integer" } })),
        "TokenEvent": object(&["id", "kind", "at", "actor", "detail"], json!({ "id": { "type": "string" }, "kind": { "type": "string", "enum": ["created", "revoked", "reassigned", "first_use", "usage"] }, "at": time, "actor": nstring, "detail": nstring })),
        "EventList": object(&["items"], json!({ "items": { "type": "array", "items": schema("TokenEvent") } })),
        "Config": object(&["id", "name", "toml", "updatedAt"], json!({ "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" }, "toml": { "type": "string" }, "updatedAt": time })),
        "ConfigList": object(&["items"], json!({ "items": { "type": "array", "items": schema("Config") } })),
        "ConfigRequest": object(&["name", "toml"], json!({ "name": { "type": "string", "minLength": 1, "maxLength": 255 }, "toml": { "type": "string" } })),
        "Agent": object(&["id", "hostname", "version", "status", "metrics", "configurations", "lastSeen", "tokenId", "tokenName", "ip"], json!({
            "id": { "type": "string" }, "hostname": nstring, "version": { "type": "string" }, "status": nstring,
            "metrics": { "type": "integer", "nullable": true }, "configurations": { "type": "array", "items": { "type": "string" } },
            "lastSeen": time, "tokenId": nstring, "tokenName": nstring, "ip": nstring
        })),
        "AgentList": object(&["items"], json!({ "items": { "type": "array", "items": schema("Agent") } })),
        "Heartbeat": heartbeat_schema()
    })
}

/// Telegraf's heartbeat schema v1 (`fixtures/telegraf-heartbeat-schema-v1.json`) in OpenAPI 3.0 terms.
fn heartbeat_schema() -> Value {
    json!({
        "type": "object", "additionalProperties": false, "required": ["id", "version"],
        "description": "Telegraf's heartbeat output plugin, schema v1",
        "properties": {
            "id": { "type": "string" }, "version": { "type": "string" }, "schema": { "type": "integer" },
            "hostname": { "type": "string" }, "metrics": { "type": "integer" },
            "configurations": { "type": "array", "items": { "type": "string" } },
            "status": { "type": "string", "enum": ["OK", "WARN", "FAIL", "UNDEFINED"] },
            "logs": { "type": "object", "additionalProperties": false, "properties": {
                "errors": { "type": "integer" }, "warnings": { "type": "integer" },
                "entries": { "type": "array", "items": { "type": "object", "additionalProperties": false,
                    "required": ["time", "level", "source", "message"],
                    "properties": { "time": { "type": "string", "format": "date-time" },
                        "level": { "type": "string", "enum": ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"] },
                        "source": { "type": "string" }, "attributes": { "type": "object" }, "message": { "type": "string" } } } }
            } }
        }
    })
}
