//! The token API types' own tests.
use super::*;
use crate::api::LoginRequest;

#[test]
fn token_uses_the_spec_field_names() {
    let token = Token::sample();
    let json = serde_json::to_value(&token).unwrap();
    let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    let mut expected = vec![
        "id",
        "name",
        "hint",
        "ownerId",
        "ownerName",
        "permissions",
        "effectivePermissions",
        "actingRole",
        "status",
        "source",
        "createdAt",
        "createdBy",
        "expiresAt",
        "revokedAt",
        "revokedBy",
        "lastUsedAt",
        "lastUsedIp",
        "lastUsedAgent",
        "recentAgents",
        "rotatedAt",
        "previousValidUntil",
        "previousLastUsedAt",
        "configScope",
        "allowedAddresses",
        "lifetimePolicy",
    ];
    expected.sort();
    assert_eq!(keys, expected);
}

#[test]
fn password_never_reaches_debug_output() {
    let login = LoginRequest {
        username: "alice".into(),
        password: "hunter2hunter2".into(),
    };
    let shown = format!("{login:?}");
    assert!(
        shown.contains("alice") && !shown.contains("hunter2"),
        "{shown}"
    );
}

#[test]
fn presets_use_kebab_case() {
    let r: CreateTokenRequest =
        serde_json::from_str(r#"{"name":"a","preset":"telegraf-agent"}"#).unwrap();
    assert_eq!(r.preset, Some(Preset::TelegrafAgent));
    assert!(
        serde_json::from_str::<CreateTokenRequest>(r#"{"name":"a","preset":"admin"}"#).is_err()
    );
}

#[test]
fn create_request_refuses_unknown_fields() {
    assert!(serde_json::from_str::<CreateTokenRequest>(r#"{"name":"a"}"#).is_ok());
    assert!(serde_json::from_str::<CreateTokenRequest>(r#"{"name":"a","nmae":"b"}"#).is_err());
    assert!(serde_json::from_str::<CreateTokenRequest>(r#"{"name":1}"#).is_err());
}
