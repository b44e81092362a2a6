use super::to_json;
use serde::Serialize;
use shared::api::{CreateTokenRequest, Preset, TokenPolicyRequest, UpdateTokenRequest};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What the browser's own JSON.stringify writes for the same text.
fn stringify(text: &str) -> String {
    String::from(js_sys::JSON::stringify(&JsValue::from_str(text)).unwrap())
}

#[wasm_bindgen_test]
fn strings_escape_as_the_browser_does() {
    for text in [
        "plain",
        "quote \" and \\ back",
        "tab\tnew\nline\r\u{8}\u{c}\u{1}\u{1f}",
        "é ✓ 🚀",
        "",
    ] {
        assert_eq!(to_json(text).unwrap(), stringify(text), "{text:?}");
        let back = js_sys::JSON::parse(&to_json(text).unwrap()).unwrap();
        assert_eq!(back.as_string().as_deref(), Some(text));
    }
}

#[wasm_bindgen_test]
fn request_bodies_are_the_json_the_api_reads() {
    let create = CreateTokenRequest {
        name: "edge \"01\"".into(),
        permissions: None,
        preset: Some(Preset::TelegrafAgent),
        expires_at: Some("2027-01-01T00:00:00Z".into()),
        raw_token: None,
        config_scope: Some(vec!["a".into(), "b".into()]),
        allowed_addresses: Some(Vec::new()),
    };
    assert_eq!(
        to_json(&create).unwrap(),
        r#"{"name":"edge \"01\"","preset":"telegraf-agent","expiresAt":"2027-01-01T00:00:00Z","configScope":["a","b"],"allowedAddresses":[]}"#
    );
    // null is written where a field is not skipped: "clear it", not "leave it".
    let clear = UpdateTokenRequest {
        config_scope: Some(None),
        allowed_addresses: None,
    };
    assert_eq!(to_json(&clear).unwrap(), r#"{"configScope":null}"#);
    let policy = TokenPolicyRequest {
        max_lifetime: None,
        require_expiry: true,
    };
    assert_eq!(
        to_json(&policy).unwrap(),
        r#"{"maxLifetime":null,"requireExpiry":true}"#
    );
    assert_eq!(
        to_json(&(-3i64, 18_446_744_073_709_551_615u64)).unwrap(),
        "[-3,18446744073709551615]"
    );
}

#[wasm_bindgen_test]
fn what_json_cannot_say_is_refused() {
    assert!(to_json(&1.5f64).is_err());
    #[derive(Serialize)]
    enum WithData {
        Pair(u8, u8),
    }
    assert!(to_json(&WithData::Pair(1, 2)).is_err());
    let numbered: std::collections::BTreeMap<u8, u8> = [(1, 2)].into();
    assert!(to_json(&numbered).is_err(), "JSON object keys are strings");
    let named: std::collections::BTreeMap<&str, u8> = [("a", 1), ("b", 2)].into();
    assert_eq!(to_json(&named).unwrap(), r#"{"a":1,"b":2}"#);
}
