//! Names people give things (a token's "Description", a configuration's name): what makes
//! one acceptable. One rule for both.

use std::fmt;

pub const NAME_MAX_CHARS: usize = 255;

/// A trimmed name of 1 to 255 characters without control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong,
    ControlCharacter,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("name is required"),
            Self::TooLong => write!(f, "name must be at most {NAME_MAX_CHARS} characters"),
            Self::ControlCharacter => {
                f.write_str("name must not contain control characters such as newlines or tabs")
            }
        }
    }
}

impl TokenName {
    /// Surrounding whitespace is dropped, so "ci " and "ci" are the same name.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        parse_name(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The trimmed name, or why it is not one.
pub fn parse_name(raw: &str) -> Result<String, NameError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    if trimmed.chars().count() > NAME_MAX_CHARS {
        return Err(NameError::TooLong);
    }
    // Bidi overrides are "format" characters, not controls, but they make a name render
    // as something other than what it is; refuse them with the controls.
    if trimmed
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
    {
        return Err(NameError::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_inner_text() {
        assert_eq!(
            TokenName::parse("  prod agents  ").unwrap().as_str(),
            "prod agents"
        );
        assert_eq!(
            TokenName::parse("Zürich — 東京 🚀").unwrap().as_str(),
            "Zürich — 東京 🚀"
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(TokenName::parse(&"é".repeat(255)).is_ok());
        assert_eq!(TokenName::parse(&"é".repeat(256)), Err(NameError::TooLong));
        assert!(TokenName::parse(&"a".repeat(255)).is_ok());
        assert_eq!(TokenName::parse(&"a".repeat(256)), Err(NameError::TooLong));
    }

    #[test]
    fn refuses_blank_and_control_characters() {
        assert_eq!(TokenName::parse(""), Err(NameError::Empty));
        assert_eq!(TokenName::parse(" \t\n "), Err(NameError::Empty));
        assert_eq!(TokenName::parse("a\nb"), Err(NameError::ControlCharacter));
        assert_eq!(
            TokenName::parse("a\u{0}b"),
            Err(NameError::ControlCharacter)
        );
        assert_eq!(
            TokenName::parse("evil\u{202e}gpj.exe"),
            Err(NameError::ControlCharacter)
        );
    }
}
