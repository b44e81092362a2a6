//! The token API types' own tests.
use super::*;
use crate::api::LoginRequest;

#[test]
fn token_uses_the_spec_field_names() {
    let token = Token {
        id: TokenId::parse("9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab").unwrap(),
        name: "n".into(),
        hint: "h".into(),
        owner_id: None,
        owner_name: None,
        permissions: Permissions::telegraf_agent(),
        effective_permissions: Permissions::telegraf_agent(),
        acting_role: None,
        status: TokenStatus::Active,
        source: TokenSource::User,
        created_at: Timestamp::from_millis(1_795_909_037_123).unwrap(),
        created_by: None,
        expires_at: None,
        revoked_at: None,
        revoked_by: None,
        last_used_at: None,
        last_used_ip: None,
        last_used_agent: None,
        recent_agents: vec![],
        config_scope: None,
        allowed_addresses: None,
        lifetime_policy: None,
        rotated_at: None,
        previous_valid_until: None,
        previous_last_used_at: None,
    };
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
