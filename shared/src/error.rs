//! The error body every endpoint answers with, and the closed set of error codes.

use serde::{Deserialize, Serialize};

/// `{"error": "<code>", "message": "<text for a person>"}` (SPEC 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}

/// Every machine-readable error code the API uses, with the HTTP status it travels with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    CrossOrigin,
    /// 403: the password was right but the account is disabled.
    AccountDisabled,
    /// 403: the permissions asked for exceed what the creator's role allows.
    PermissionExceedsRole,
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
    /// 500: something failed on our side; details are logged, never sent.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidId => "invalid_id",
            Self::InvalidJson => "invalid_json",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidToken => "invalid_token",
            Self::Forbidden => "forbidden",
            Self::CrossOrigin => "cross_origin_request",
            Self::AccountDisabled => "account_disabled",
            Self::PermissionExceedsRole => "permission_exceeds_role",
            Self::NotFound => "not_found",
            Self::UserNotFound => "user_not_found",
            Self::ConfigNotFound => "config_not_found",
            Self::TokenNotFound => "token_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::TokenNameConflict => "token_name_conflict",
            Self::AlreadyRevoked => "already_revoked",
            Self::ConfigNameConflict => "config_name_conflict",
            Self::TokenValueConflict => "token_value_conflict",
            Self::PresharedTokensDisabled => "preshared_tokens_disabled",
            Self::UsernameTaken => "username_taken",
            Self::SetupAlreadyDone => "setup_already_done",
            Self::LastOwner => "last_owner",
            Self::NoOwner => "no_owner",
            Self::UserDisabled => "user_disabled",
            Self::TooManyAttempts => "too_many_attempts",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Internal => "internal_error",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            Self::InvalidRequest | Self::InvalidId | Self::InvalidJson => 400,
            Self::Unauthenticated | Self::InvalidCredentials | Self::InvalidToken => 401,
            Self::Forbidden
            | Self::PresharedTokensDisabled
            | Self::CrossOrigin
            | Self::AccountDisabled
            | Self::PermissionExceedsRole => 403,
            Self::NotFound | Self::TokenNotFound | Self::UserNotFound | Self::ConfigNotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::TokenNameConflict
            | Self::ConfigNameConflict
            | Self::AlreadyRevoked
            | Self::TokenValueConflict
            | Self::UsernameTaken
            | Self::SetupAlreadyDone
            | Self::LastOwner
            | Self::NoOwner
            | Self::UserDisabled => 409,
            Self::TooManyAttempts => 429,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Internal => 500,
        }
    }

    pub fn body(self, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: self.as_str().to_owned(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 29] = [
        ErrorCode::NoOwner,
        ErrorCode::UserDisabled,
        ErrorCode::ConfigNotFound,
        ErrorCode::ConfigNameConflict,
        ErrorCode::TokenValueConflict,
        ErrorCode::PresharedTokensDisabled,
        ErrorCode::AlreadyRevoked,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::InvalidToken,
        ErrorCode::Forbidden,
        ErrorCode::CrossOrigin,
        ErrorCode::AccountDisabled,
        ErrorCode::PermissionExceedsRole,
        ErrorCode::UserNotFound,
        ErrorCode::UsernameTaken,
        ErrorCode::SetupAlreadyDone,
        ErrorCode::LastOwner,
        ErrorCode::TooManyAttempts,
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidId,
        ErrorCode::InvalidJson,
        ErrorCode::NotFound,
        ErrorCode::TokenNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::TokenNameConflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::Internal,
    ];

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
        }
    }

    #[test]
    fn only_internal_is_a_server_error() {
        for code in ALL {
            let status = code.status();
            assert!((400..600).contains(&status));
            assert_eq!(status >= 500, code == ErrorCode::Internal, "{code:?}");
        }
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
