//! The body of Telegraf's heartbeat output plugin (schema v1, `fixtures/telegraf-heartbeat-
//! schema-v1.json`): `id` and `version` required, every other field optional and typed, and
//! no field the schema does not name.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub id: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configurations: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<Logs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AgentStatus>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[strum(serialize_all = "UPPERCASE")]
pub enum AgentStatus {
    #[serde(rename = "OK")]
    Ok,
    #[serde(rename = "WARN")]
    Warn,
    #[serde(rename = "FAIL")]
    Fail,
    #[serde(rename = "UNDEFINED")]
    Undefined,
}

impl AgentStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Logs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<LogEntry>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub time: String,
    pub level: LogLevel,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// Limits of our own, beyond the schema, so one agent cannot fill the database.
pub const MAX_TEXT: usize = 255;

impl Heartbeat {
    /// What the schema cannot say: non-empty id, bounded strings, RFC 3339 log times.
    pub fn check(&self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("id must not be empty".into());
        }
        for (field, value) in [
            ("id", Some(&self.id)),
            ("version", Some(&self.version)),
            ("hostname", self.hostname.as_ref()),
        ] {
            if value
                .is_some_and(|v| v.chars().count() > MAX_TEXT || v.chars().any(char::is_control))
            {
                return Err(format!(
                    "{field} must be at most {MAX_TEXT} characters without control characters"
                ));
            }
        }
        if self
            .configurations
            .as_ref()
            .is_some_and(|c| c.len() > 100 || c.iter().any(|s| s.len() > 2048))
        {
            return Err(
                "configurations names at most 100 sources of at most 2048 characters".into(),
            );
        }
        let entries = self.logs.as_ref().and_then(|l| l.entries.as_ref());
        if entries.is_some_and(|e| {
            e.iter()
                .any(|entry| crate::time::millis_from_rfc3339(&entry.time).is_none())
        }) {
            return Err("logs.entries[].time must be an RFC 3339 date-time".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_and_full_bodies_parse() {
        let minimal: Heartbeat =
            serde_json::from_str(r#"{"id":"host-1","version":"Telegraf 1.38.0"}"#).unwrap();
        assert_eq!(minimal.check(), Ok(()));
        let full: Heartbeat = serde_json::from_str(
            r#"{"id":"a","version":"Telegraf 1.39.0","schema":1,"hostname":"web-1","metrics":1200,
                "configurations":["http://x/api/configs/1/toml"],"status":"WARN",
                "logs":{"errors":0,"warnings":2,"entries":[{"time":"2026-11-28T10:00:00Z","level":"WARN","source":"inputs.cpu","message":"slow","attributes":{"k":1}}]}}"#,
        )
        .unwrap();
        assert_eq!(full.status, Some(AgentStatus::Warn));
        assert_eq!(full.check(), Ok(()));
    }

    #[test]
    fn what_the_schema_forbids_does_not_parse() {
        for bad in [
            r#"{"version":"x"}"#,
            r#"{"id":"a"}"#,
            r#"{"id":1,"version":"x"}"#,
            r#"{"id":"a","version":"x","metrics":"12"}"#,
            r#"{"id":"a","version":"x","metrics":1.5}"#,
            r#"{"id":"a","version":"x","status":"ok"}"#,
            r#"{"id":"a","version":"x","extra":true}"#,
            r#"{"id":"a","version":"x","logs":{"entries":[{"time":"t","level":"INFO","source":"s"}]}}"#,
            r#"{"id":"a","version":"x","logs":{"lines":3}}"#,
            r#"{"id":"a","version":"x","configurations":"one"}"#,
        ] {
            assert!(serde_json::from_str::<Heartbeat>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_refuses_what_the_schema_allows_but_we_do_not_store() {
        let mut h: Heartbeat = serde_json::from_str(r#"{"id":" ","version":"x"}"#).unwrap();
        assert!(h.check().is_err());
        h.id = "x".repeat(256);
        assert!(h.check().is_err());
        let bad_time: Heartbeat = serde_json::from_str(
            r#"{"id":"a","version":"x","logs":{"entries":[{"time":"yesterday","level":"INFO","source":"s","message":"m"}]}}"#,
        )
        .unwrap();
        assert!(bad_time.check().is_err());
    }
}
