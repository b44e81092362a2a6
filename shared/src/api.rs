//! Request and response bodies of the JSON API (SPEC 8), in camelCase on the wire.

use crate::status::{TokenSource, TokenStatus};
use serde::{Deserialize, Serialize};

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
}

/// A token as every endpoint shows it. Never carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub id: String,
    pub name: String,
    /// Prefix and last four characters: enough to recognise a token, useless to an attacker.
    pub hint: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    /// Comma-separated `resource:action` pairs.
    pub permissions: String,
    pub status: TokenStatus,
    pub source: TokenSource,
    pub created_at: String,
    pub created_by: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    pub last_used_agent: Option<String>,
}

/// `GET /api/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenList {
    pub items: Vec<Token>,
    pub total: u64,
    pub next_cursor: Option<String>,
}

/// `POST /api/tokens`. Unknown fields are refused rather than silently ignored, so a typo in
/// a script fails loudly instead of creating a token other than the one intended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTokenRequest {
    pub name: String,
}

/// `201` answer to `POST /api/tokens`: the only response that ever contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: Token,
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_uses_the_spec_field_names() {
        let token = Token {
            id: "id".into(),
            name: "n".into(),
            hint: "h".into(),
            owner_id: None,
            owner_name: None,
            permissions: "configs:read".into(),
            status: TokenStatus::Active,
            source: TokenSource::User,
            created_at: "2026-11-28T00:00:00.000Z".into(),
            created_by: None,
            expires_at: None,
            revoked_at: None,
            revoked_by: None,
            last_used_at: None,
            last_used_ip: None,
            last_used_agent: None,
        };
        let json = serde_json::to_value(&token).unwrap();
        let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        let mut expected = vec![
            "id", "name", "hint", "ownerId", "ownerName", "permissions", "status", "source",
            "createdAt", "createdBy", "expiresAt", "revokedAt", "revokedBy", "lastUsedAt",
            "lastUsedIp", "lastUsedAgent",
        ];
        expected.sort();
        assert_eq!(keys, expected);
    }

    #[test]
    fn create_request_refuses_unknown_fields() {
        assert!(serde_json::from_str::<CreateTokenRequest>(r#"{"name":"a"}"#).is_ok());
        assert!(serde_json::from_str::<CreateTokenRequest>(r#"{"name":"a","nmae":"b"}"#).is_err());
        assert!(serde_json::from_str::<CreateTokenRequest>(r#"{"name":1}"#).is_err());
    }
}
