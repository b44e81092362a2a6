use super::*;
use serde::Deserialize;
use shared::api::{Token, TokenList};
use shared::time::Timestamp;
use std::collections::BTreeMap;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn parsed(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Sample {
    count: u32,
    delta: i64,
    ratio: f64,
    name: String,
    maybe: Option<String>,
    absent: Option<u8>,
    list: Vec<bool>,
    nested: BTreeMap<String, u8>,
    kind: Kind,
    shape: Shape,
    unit: (),
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Active,
    Revoked,
}

#[derive(Debug, Deserialize, PartialEq)]
enum Shape {
    Circle(u8),
    Box { w: u8 },
}

#[wasm_bindgen_test]
fn what_json_parse_gives_reads_as_the_types() {
    let value = parsed(
        r#"{"count": 7, "delta": -3, "ratio": 1.5, "name": "edge", "maybe": null,
            "list": [true, false], "nested": {"a": 1}, "kind": "revoked",
            "shape": {"Box": {"w": 2}}, "unit": null, "unknown": {"deep": [1]}}"#,
    );
    let sample: Sample = from_value(value).unwrap();
    assert_eq!(
        sample,
        Sample {
            count: 7,
            delta: -3,
            ratio: 1.5,
            name: "edge".into(),
            maybe: None,
            absent: None,
            list: vec![true, false],
            nested: [("a".to_owned(), 1)].into_iter().collect(),
            kind: Kind::Revoked,
            shape: Shape::Box { w: 2 },
            unit: (),
        }
    );
    let circle: Shape = from_value(parsed(r#"{"Circle": 4}"#)).unwrap();
    assert_eq!(circle, Shape::Circle(4));
    let at: Timestamp = from_value(parsed(r#""2026-12-04T17:00:00Z""#)).unwrap();
    assert_eq!(at.millis(), 1_796_403_600_000);
    let (): () = from_value(JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
fn what_does_not_fit_is_refused() {
    for (json, what) in [
        (r#"{"count": 1.5}"#, "a fraction for an integer"),
        (r#"{"count": -1}"#, "a negative number for an unsigned one"),
        (r#"{"count": 300}"#, "too big for a u8"),
        (r#"{"count": "7"}"#, "a string for a number"),
        (r#"{"count": null}"#, "null for a number"),
        (r#"[1]"#, "an array for an object"),
    ] {
        assert_eq!(
            from_value::<BTreeMap<String, u8>>(parsed(json)),
            Err(Unfit),
            "{what}"
        );
    }
    assert_eq!(from_value::<Kind>(parsed(r#""expired""#)), Err(Unfit));
    assert_eq!(from_value::<String>(JsValue::UNDEFINED), Err(Unfit));
}

/// A token list written as JSON text (by serde, through the app's encoder) and parsed by the
/// browser reads back equal, every field of a token included: the encoder and the decoder
/// agree on every shape a token has.
#[wasm_bindgen_test]
fn a_token_list_as_the_server_writes_it_reads_back_equal() {
    let token = Token::sample();
    let list = TokenList {
        items: vec![token.clone(), token],
        total: 1001,
        total_capped: true,
        next_cursor: Some("v1.createdAt.desc.n1.x".into()),
        more_to_search: true,
    };
    let text = crate::encode::to_json(&list).unwrap();
    let read: TokenList = from_value(js_sys::JSON::parse(&text).unwrap()).unwrap();
    assert_eq!(read, list);
}
