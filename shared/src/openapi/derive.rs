//! The component schemas, derived from the request and answer types themselves (schemars, in
//! OpenAPI 3.0 terms), so the document cannot say one thing while serde does another. What a
//! type cannot say about itself (a password's minimum length, a list of ids) lives in the small
//! schema functions below, which the types name in `schema_with`.

use crate::api::*;
use crate::audit::export::ExportLine;
use crate::audit::{AuditEntry, AuditForwarding, AuditList, AuditVerification};
use crate::heartbeat::Heartbeat;
use crate::scanning::{ScanMatch, Verdict};
use crate::ErrorBody;
use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::{InstanceType, Schema, SchemaObject};
use schemars::JsonSchema;
use serde_json::{json, Value};

/// Every named schema the document refers to, by its type's name.
pub(super) fn schemas() -> Value {
    let mut generator = SchemaGenerator::new(SchemaSettings::openapi3());
    macro_rules! named {
        ($($t:ty),* $(,)?) => { [$( { generator.subschema_for::<$t>(); <$t as JsonSchema>::schema_name() } ),*] };
    }
    // Requests refuse unknown fields (serde's `deny_unknown_fields`, which schemars reads).
    named!(
        SetupRequest,
        LoginRequest,
        CreateUserRequest,
        UpdateUserRequest,
        ChangePasswordRequest,
        SetPasswordRequest,
        CreateTokenRequest,
        ReassignRequest,
        RotateRequest,
        UpdateTokenRequest,
        BulkRequest,
        BulkReassignRequest,
        ConfigRequest,
        TokenPolicyRequest,
        Heartbeat,
    );
    let answers = named!(
        ErrorBody,
        Health,
        AuthStatus,
        User,
        UserEnvelope,
        UserList,
        Token,
        TokenList,
        CreatedToken,
        Capabilities,
        BulkDeleted,
        BulkRevoked,
        BulkReassigned,
        TokenEvent,
        EventList,
        Config,
        ConfigList,
        Agent,
        AgentList,
        AuditEntry,
        AuditList,
        AuditVerification,
        ExportLine,
        AuditForwarding,
        TokenPolicySettings,
        Verdict,
    );
    // Matches may carry more than these fields (GitHub adds some over time); they are read, not
    // refused.
    generator.subschema_for::<ScanMatch>();
    let mut definitions = generator.take_definitions();
    for name in answers {
        if let Some(Schema::Object(answer)) = definitions.get_mut(&name) {
            // The error's `ids` is there only when an error is about some of the ids sent; a
            // configuration's `scopedTokens` only in the list.
            let optional: &[&str] = match name.as_str() {
                "Error" => &["ids"],
                "Config" => &["scopedTokens"],
                _ => &[],
            };
            complete(answer, optional);
        }
    }
    // What the OpenAPI 3.0 settings fix up (a `$ref` with siblings, boolean schemas) runs on
    // whole documents; these definitions are taken out before that, so it runs here.
    for visitor in generator.visitors_mut() {
        definitions
            .values_mut()
            .for_each(|schema| visitor.visit_schema(schema));
    }
    let mut all = serde_json::to_value(definitions).unwrap_or_default();
    // The secret scanning report and its answer are bare JSON arrays.
    all["SecretScanningReport"] = json!({
        "type": "array", "minItems": 1, "maxItems": crate::scanning::MAX_MATCHES,
        "items": { "$ref": "#/components/schemas/ScanMatch" }
    });
    all["SecretScanningVerdicts"] = json!({
        "type": "array", "items": { "$ref": "#/components/schemas/Verdict" }
    });
    all
}

/// An answer carries every field it names, `null` included, and nothing else: the contract
/// check then catches a field that went missing as surely as one that appeared.
/// `optional`: the fields it leaves out when empty (`skip_serializing_if`).
fn complete(answer: &mut SchemaObject, optional: &[&str]) {
    if let Some(object) = answer.object.as_mut() {
        object.required = object
            .properties
            .keys()
            .filter(|name| !optional.contains(&name.as_str()))
            .cloned()
            .collect();
        object.additional_properties = Some(Box::new(Schema::Bool(false)));
    }
}

fn from_json(value: Value) -> Schema {
    serde_json::from_value(value).unwrap_or(Schema::Bool(true))
}

/// A string, with a format when one applies.
pub(crate) fn string_schema(format: Option<&str>) -> Schema {
    let mut schema = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        ..Default::default()
    };
    schema.format = format.map(str::to_owned);
    Schema::Object(schema)
}

pub(crate) fn permissions_schema() -> Schema {
    from_json(json!({
        "type": "string",
        "description": "Comma-separated resource:action pairs, e.g. configs:read,heartbeat:write; resource:* grants read, write and delete",
        "example": "configs:read,heartbeat:write"
    }))
}

pub(crate) fn permissions_text(_: &mut SchemaGenerator) -> Schema {
    permissions_schema()
}

pub(crate) fn future_instant(_: &mut SchemaGenerator) -> Schema {
    from_json(json!({
        "type": "string", "format": "date-time", "nullable": true,
        "description": "In the future; omit or null for no expiry"
    }))
}

pub(crate) fn config_ids(_: &mut SchemaGenerator) -> Schema {
    from_json(json!({
        "type": "array", "nullable": true, "maxItems": crate::token_scope::MAX_CONFIG_SCOPE,
        "items": { "type": "string", "format": "uuid" },
        "description": "Configuration ids; null for every configuration"
    }))
}

pub(crate) fn address_blocks(_: &mut SchemaGenerator) -> Schema {
    from_json(json!({
        "type": "array", "nullable": true, "minItems": 1, "maxItems": crate::addresses::MAX_BLOCKS,
        "items": { "type": "string", "maxLength": 64 },
        "description": "IPv4 or IPv6 CIDR blocks (203.0.113.0/24, 2001:db8::/32) or single addresses; null for any address"
    }))
}

pub(crate) fn raw_token(_: &mut SchemaGenerator) -> Schema {
    from_json(
        json!({ "type": "string", "pattern": "^tc-apiv1_[0-9a-f]{64}$", "description": "A token string in the tc-apiv1_ format" }),
    )
}

pub(crate) fn overlap_text(_: &mut SchemaGenerator) -> Schema {
    from_json(json!({
        "type": "string",
        "pattern": "^P(\\d+W)?(\\d+D)?(T(\\d+H)?(\\d+M)?(\\d+S)?)?$",
        "description": "ISO 8601 duration from PT0S to P7D (at most 7 days); default PT0S",
        "example": "PT24H"
    }))
}

pub(crate) fn uuid_text(_: &mut SchemaGenerator) -> Schema {
    string_schema(Some("uuid"))
}

pub(crate) fn bulk_ids(_: &mut SchemaGenerator) -> Schema {
    from_json(json!({
        "type": "array", "minItems": 1, "maxItems": MAX_BULK, "uniqueItems": true,
        "items": { "type": "string", "format": "uuid" }
    }))
}

pub(crate) fn new_password(_: &mut SchemaGenerator) -> Schema {
    from_json(
        json!({ "type": "string", "minLength": crate::account::PASSWORD_MIN, "format": "password" }),
    )
}

pub(crate) fn password(_: &mut SchemaGenerator) -> Schema {
    from_json(json!({ "type": "string", "format": "password" }))
}
