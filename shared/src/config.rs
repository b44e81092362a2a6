//! Telegraf configurations: names, TOML that must parse before it is saved (with a message
//! that points at the line and column of the first problem), and the command that runs an
//! agent on one.

use crate::name::{parse_name, NameError};
use std::fmt;

/// Bodies are limited to 64 KiB; a TOML text inside one can be at most a little less.
pub const TOML_MAX_BYTES: usize = 60 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for TomlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the TOML is not valid at line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Parses `text` as a TOML document; the error's line and column are 1-based.
pub fn validate_toml(text: &str) -> Result<(), TomlError> {
    match text.parse::<toml::Table>() {
        Ok(_) => Ok(()),
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start).min(text.len());
            let before = text.get(..at).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(TomlError {
                line,
                column,
                message: e.message().trim().to_owned(),
            })
        }
    }
}

/// A configuration's name: trimmed, 1 to 255 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigName(String);

impl ConfigName {
    /// The same rule as a token's name: trimmed, 1 to 255 characters, nothing invisible.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        parse_name(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConfigName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How often the agent's command asks whether its configuration changed (a `HEAD` answered by
/// `Last-Modified`): edits reach the fleet within this, at one cheap request per agent.
pub const WATCH_INTERVAL: &str = "1m";

/// The variable Telegraf reads the token from: `TELEGRAF_CONTROLLER_TOKEN` from 1.39 on,
/// `INFLUX_TOKEN` before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenVariable {
    TelegrafController,
    Influx,
}

impl TokenVariable {
    pub fn name(self) -> &'static str {
        match self {
            Self::TelegrafController => "TELEGRAF_CONTROLLER_TOKEN",
            Self::Influx => "INFLUX_TOKEN",
        }
    }
}

/// The shell command that runs Telegraf on the configuration at `toml_url`, watching it for
/// edits. With no `secret` the token comes from `$API_TOKEN`, so the line still runs as
/// pasted (a placeholder in angle brackets would be read as a redirection).
pub fn agent_command(variable: TokenVariable, secret: Option<&str>, toml_url: &str) -> String {
    let token = secret.unwrap_or("\"$API_TOKEN\"");
    format!(
        "{}={token} telegraf --config {toml_url} --config-url-watch-interval {WATCH_INTERVAL}",
        variable.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::NAME_MAX_CHARS;

    #[test]
    fn config_names_are_trimmed_bounded_and_printable() {
        assert_eq!(
            ConfigName::parse("  linux hosts ").unwrap().as_str(),
            "linux hosts"
        );
        assert_eq!(ConfigName::parse(" "), Err(NameError::Empty));
        assert_eq!(
            ConfigName::parse(&"x".repeat(NAME_MAX_CHARS + 1)),
            Err(NameError::TooLong)
        );
        assert_eq!(ConfigName::parse("a\tb"), Err(NameError::ControlCharacter));
    }

    #[test]
    fn accepts_telegraf_configs() {
        let text = "[agent]\n  interval = \"10s\"\n\n[[inputs.cpu]]\n  percpu = true\n\n[[outputs.influxdb_v2]]\n  urls = [\"http://127.0.0.1:8086\"]\n  token = \"$INFLUX_TOKEN\"\n";
        assert_eq!(validate_toml(text), Ok(()));
        assert_eq!(validate_toml(""), Ok(()));
    }

    #[test]
    fn names_line_and_column_of_the_first_problem() {
        let err = validate_toml("[agent]\n  interval = \"10s\"\n  flush = = 1\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.column > 1, "{err}");
        assert!(
            err.to_string()
                .starts_with("the TOML is not valid at line 3, column"),
            "{err}"
        );
        let err = validate_toml("[[inputs.cpu]\n").unwrap_err();
        assert_eq!(err.line, 1, "{err}");
        let dup = validate_toml("a = 1\na = 2\n").unwrap_err();
        assert_eq!(dup.line, 2, "{dup}");
    }

    #[test]
    fn the_agent_command_runs_as_pasted_and_watches_for_edits() {
        let url = "https://tc.example/api/configs/1/toml";
        let line = agent_command(TokenVariable::TelegrafController, None, url);
        assert_eq!(
            line,
            "TELEGRAF_CONTROLLER_TOKEN=\"$API_TOKEN\" telegraf --config https://tc.example/api/configs/1/toml --config-url-watch-interval 1m"
        );
        assert!(!line.contains(['<', '>']), "no shell redirection: {line}");
        let with = agent_command(TokenVariable::Influx, Some("tc-apiv1_abc"), url);
        assert!(with.starts_with("INFLUX_TOKEN=tc-apiv1_abc telegraf --config "));
    }
}
