//! Accounts: what makes a username, display name and password acceptable, and the rules of
//! a browser session's lifetime.

use std::fmt;

pub const USERNAME_MAX: usize = 64;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 1024;

/// A session ends after this long without use…
pub const SESSION_IDLE_MS: i64 = 12 * 60 * 60 * 1000;
/// …or this long after sign-in, whichever comes first.
pub const SESSION_ABSOLUTE_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// Sliding the expiry writes to D1, so it happens at most this often per session.
pub const SESSION_SLIDE_EVERY_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountError(pub String);

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A username: letters, digits and `.`, `_`, `-`, `@`, 1 to 64 characters, compared without
/// ASCII case (the database's collation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Surrounding whitespace is dropped.
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        validate_username(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn validate_username(raw: &str) -> Result<String, AccountError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AccountError("username is required".into()));
    }
    if name.chars().count() > USERNAME_MAX {
        return Err(AccountError(format!(
            "username must be at most {USERNAME_MAX} characters"
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(AccountError(
            "username may contain only letters, digits and . _ - @".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Optional; defaults to the username. No control characters.
pub fn validate_display_name(raw: Option<&str>, username: &str) -> Result<String, AccountError> {
    let name = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(username);
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(AccountError(format!(
            "display name must be at most {DISPLAY_NAME_MAX} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(AccountError(
            "display name must not contain control characters".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Length is what makes a password strong; any characters are allowed.
pub fn validate_password(password: &str) -> Result<(), AccountError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(AccountError(format!(
            "password must be at least {PASSWORD_MIN} characters"
        )));
    }
    if n > PASSWORD_MAX {
        return Err(AccountError(format!(
            "password must be at most {PASSWORD_MAX} characters"
        )));
    }
    Ok(())
}

/// The new expiry of a session used at `now`, or `None` when the stored one is recent enough
/// (sliding it would be a write for nothing).
pub fn slide_session(created_at: i64, expires_at: i64, now: i64) -> Option<i64> {
    let target = (now + SESSION_IDLE_MS).min(created_at + SESSION_ABSOLUTE_MS);
    (target - expires_at >= SESSION_SLIDE_EVERY_MS).then_some(target)
}

/// Whether the session cookie is marked `Secure`: always, except over plain http to the
/// loopback host, where browsers would drop a Secure cookie and local development would break.
pub fn cookie_is_secure(scheme: &str, host: Option<&str>) -> bool {
    !(scheme == "http" && matches!(host, Some("localhost" | "127.0.0.1" | "[::1]")))
}

/// Compares secrets without an early exit, so timing tells nothing about where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse(" alice.smith@corp ").unwrap().as_str(),
            "alice.smith@corp"
        );
        assert!(Username::parse("").is_err());
        assert!(Username::parse("a b").is_err());
        assert!(Username::parse("zoë").is_err());
        assert!(Username::parse("x'; DROP TABLE users;--").is_err());
        assert!(Username::parse(&"a".repeat(64)).is_ok());
        assert!(Username::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn display_names_default_to_the_username() {
        assert_eq!(validate_display_name(None, "alice").unwrap(), "alice");
        assert_eq!(validate_display_name(Some("  "), "alice").unwrap(), "alice");
        assert_eq!(
            validate_display_name(Some("Alice Å."), "alice").unwrap(),
            "Alice Å."
        );
        assert!(validate_display_name(Some("a\nb"), "alice").is_err());
    }

    #[test]
    fn passwords() {
        assert!(validate_password("123456789").is_err());
        assert!(validate_password("correct horse").is_ok());
        assert!(
            validate_password("éééééééééé").is_ok(),
            "characters, not bytes"
        );
        assert!(validate_password(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn sessions_slide_but_not_on_every_request_and_not_forever() {
        let created = 0;
        let expires = SESSION_IDLE_MS;
        assert_eq!(
            slide_session(created, expires, 60_000),
            None,
            "a minute later: no write"
        );
        let later = 10 * 60 * 1000;
        assert_eq!(
            slide_session(created, expires, later),
            Some(later + SESSION_IDLE_MS)
        );
        let near_cap = SESSION_ABSOLUTE_MS - 60_000;
        assert_eq!(
            slide_session(created, SESSION_ABSOLUTE_MS - 10 * 60_000, near_cap),
            Some(SESSION_ABSOLUTE_MS)
        );
        assert_eq!(
            slide_session(created, SESSION_ABSOLUTE_MS, near_cap),
            None,
            "never past the absolute cap"
        );
    }

    #[test]
    fn cookies_are_secure_everywhere_but_plain_localhost() {
        assert!(cookie_is_secure("https", Some("tokens.example.com")));
        assert!(cookie_is_secure("https", Some("localhost")));
        assert!(
            cookie_is_secure("http", Some("tokens.example.com")),
            "plain http elsewhere still gets Secure"
        );
        assert!(cookie_is_secure("http", Some("127.0.0.2")));
        assert!(!cookie_is_secure("http", Some("127.0.0.1")));
        assert!(!cookie_is_secure("http", Some("localhost")));
        assert!(!cookie_is_secure("http", Some("[::1]")));
    }

    #[test]
    fn constant_time_eq_is_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
