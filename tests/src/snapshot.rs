//! What a snapshot of an answer keeps: its shape and every value that does not change from run
//! to run. Ids, instants, secrets and hints differ every time, so they become placeholders that
//! still say what stood there (`[uuid]`, `[instant]`, `[secret]`, `[hint]`), and a value of the
//! wrong kind stays visible instead of being hidden by the redaction.

use serde_json::Value;
use shared::time::Timestamp;

/// The answer with its run-specific values replaced by placeholders.
pub fn redacted(value: &Value) -> Value {
    redact(None, value)
}

fn redact(key: Option<&str>, value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact(Some(k), v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| redact(key, v)).collect()),
        Value::String(text) => Value::from(redact_text(key, text)),
        other => other.clone(),
    }
}

fn redact_text(key: Option<&str>, text: &str) -> String {
    let placeholder = if Timestamp::parse(text).is_some() {
        "[instant]"
    } else if key == Some("secret") && shared::TokenSecret::parse(text).is_ok() {
        "[secret]"
    } else if key == Some("hint") && text.starts_with("tc-apiv1_") {
        "[hint]"
    } else if key == Some("nextCursor") {
        "[cursor]"
    } else {
        return without_uuids(text);
    };
    placeholder.to_owned()
}

/// Every UUID inside the text (an id in a message, say) becomes `[uuid]`.
fn without_uuids(text: &str) -> String {
    const LEN: usize = 36;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if rest.len() >= LEN
            && rest.is_char_boundary(LEN)
            && shared::TokenId::parse(&rest[..LEN]).is_some()
        {
            out.push_str("[uuid]");
            rest = &rest[LEN..];
        } else {
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn run_specific_values_become_placeholders_and_nothing_else_does() {
        let answer = json!({
            "token": {"id": "9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab", "name": "fleet",
                      "createdAt": "2026-11-28T23:37:17.123Z", "expiresAt": null, "hint": "tc-apiv1_…ab12",
                      "recentAgents": ["web-01"]},
            "secret": format!("tc-apiv1_{}", "ab".repeat(32)),
            "nextCursor": "abc",
            "configurations": ["9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab"],
            "message": "token 9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab is already revoked"
        });
        assert_eq!(
            redacted(&answer),
            json!({
                "token": {"id": "[uuid]", "name": "fleet", "createdAt": "[instant]", "expiresAt": null,
                          "hint": "[hint]", "recentAgents": ["web-01"]},
                "secret": "[secret]",
                "nextCursor": "[cursor]",
                "configurations": ["[uuid]"],
                "message": "token [uuid] is already revoked"
            })
        );
        assert_eq!(
            redacted(&json!({"secret": "not a token"})),
            json!({"secret": "not a token"})
        );
    }
}
