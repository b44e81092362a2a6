//! The error body every endpoint answers with, and the closed set of error codes.

use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};

/// `{"error": "<code>", "message": "<text for a person>"}` (SPEC 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(rename = "Error"))]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
    /// The ids the error is about, when it is about some of those sent: a bulk action's ids
    /// that match no token (deleted since they were selected, say), so a client can name them
    /// and go on with the rest. Absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
}

/// Every machine-readable error code the API uses, with the HTTP status it travels with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(IntoStaticStr, VariantArray)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body or a parameter does not satisfy the contract.
    InvalidRequest,
    /// 400: a path id is not a UUID.
    InvalidId,
    /// 400: the body is not JSON, or not JSON of the expected shape.
    InvalidJson,
    /// 401: no credentials, or a session that has ended.
    Unauthenticated,
    /// 401: unknown username or wrong password (one message for both).
    InvalidCredentials,
    /// 401: the API token was refused; the message says why (SPEC 5).
    InvalidToken,
    /// 403: authenticated, but the role or token lacks the permission.
    Forbidden,
    /// 403: a cookie-authenticated change from another origin.
    #[serde(rename = "cross_origin_request")]
    #[strum(serialize = "cross_origin_request")]
    CrossOrigin,
    /// 403: the password was right but the account is disabled.
    AccountDisabled,
    /// 403: changing one's own password, the current password given was not correct.
    WrongPassword,
    /// 403: the permissions asked for exceed what the creator's role allows.
    PermissionExceedsRole,
    /// 403: the token would live longer than the organisation's lifetime policy allows.
    BeyondTokenPolicy,
    /// 404: no such route.
    NotFound,
    /// 404: no user with that id.
    UserNotFound,
    /// 404: no configuration with that id.
    ConfigNotFound,
    /// 404: no token with that id (or not one the caller may see).
    TokenNotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: another token already has this name.
    TokenNameConflict,
    /// 409: another token already has this token string (pre-shared tokens).
    TokenValueConflict,
    /// 403: pre-shared token strings are switched off on this instance.
    PresharedTokensDisabled,
    /// 409: the token was already revoked; revocation happens once.
    AlreadyRevoked,
    /// 409: the token has expired and can never work again: revoking it changes nothing.
    AlreadyExpired,
    /// 409: a revoked or expired token is not rotated, or it changed during the rotation.
    NotRotatable,
    /// 409: another configuration already has this name.
    ConfigNameConflict,
    /// 409: another user already has this username.
    UsernameTaken,
    /// 409: the instance already has its first user.
    SetupAlreadyDone,
    /// 409: the change would leave no enabled Owner.
    LastOwner,
    /// 409: the instance has no Owner yet, so nothing can belong to one.
    NoOwner,
    /// 409: the target user is disabled.
    UserDisabled,
    /// 413: the body exceeds the limit.
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 429: too many sign-in attempts or invalid tokens; try again after `Retry-After`.
    TooManyAttempts,
    /// 503: a setting the request needs (a secret or variable) is missing or malformed; the
    /// message names it. The operator fixes it; nothing is wrong with the request.
    Misconfigured,
    /// 500: something failed on our side; details are logged, never sent.
    #[serde(rename = "internal_error")]
    #[strum(serialize = "internal_error")]
    Internal,
}

impl ErrorCode {
    /// The code as it travels in the body's `error` field.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn status(self) -> u16 {
        match self {
            Self::InvalidRequest | Self::InvalidId | Self::InvalidJson => 400,
            Self::Unauthenticated | Self::InvalidCredentials | Self::InvalidToken => 401,
            Self::Forbidden
            | Self::PresharedTokensDisabled
            | Self::CrossOrigin
            | Self::AccountDisabled
            | Self::WrongPassword
            | Self::PermissionExceedsRole
            | Self::BeyondTokenPolicy => 403,
            Self::NotFound | Self::TokenNotFound | Self::UserNotFound | Self::ConfigNotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::TokenNameConflict
            | Self::ConfigNameConflict
            | Self::AlreadyRevoked
            | Self::AlreadyExpired
            | Self::NotRotatable
            | Self::TokenValueConflict
            | Self::UsernameTaken
            | Self::SetupAlreadyDone
            | Self::LastOwner
            | Self::NoOwner
            | Self::UserDisabled => 409,
            Self::TooManyAttempts => 429,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Misconfigured => 503,
            Self::Internal => 500,
        }
    }

    pub fn body(self, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: self,
            message: message.into(),
            ids: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::VARIANTS {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
        }
    }

    #[test]
    fn only_internal_and_misconfigured_are_server_errors() {
        for &code in ErrorCode::VARIANTS {
            let status = code.status();
            assert!((400..600).contains(&status));
            assert_eq!(
                status >= 500,
                matches!(code, ErrorCode::Internal | ErrorCode::Misconfigured),
                "{code:?}"
            );
        }
    }

    #[test]
    fn serde_and_as_str_agree() {
        for &code in ErrorCode::VARIANTS {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, code.as_str(), "{code:?}");
            assert_eq!(serde_json::from_value::<ErrorCode>(wire).unwrap(), code);
        }
        assert_eq!(ErrorCode::CrossOrigin.as_str(), "cross_origin_request");
        assert_eq!(ErrorCode::Internal.as_str(), "internal_error");
    }

    #[test]
    fn body_serialises_to_the_spec_shape() {
        let json = serde_json::to_value(ErrorCode::TokenNameConflict.body("taken")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "token_name_conflict", "message": "taken"})
        );
    }
}
