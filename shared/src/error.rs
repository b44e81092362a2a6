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
    /// 404: no such route.
    NotFound,
    /// 404: no token with that id (or not one the caller may see).
    TokenNotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: another token already has this name.
    TokenNameConflict,
    /// 413: the body exceeds the limit.
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 500: something failed on our side; details are logged, never sent.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidId => "invalid_id",
            Self::InvalidJson => "invalid_json",
            Self::NotFound => "not_found",
            Self::TokenNotFound => "token_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::TokenNameConflict => "token_name_conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Internal => "internal_error",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            Self::InvalidRequest | Self::InvalidId | Self::InvalidJson => 400,
            Self::NotFound | Self::TokenNotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::TokenNameConflict => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Internal => 500,
        }
    }

    pub fn body(self, message: impl Into<String>) -> ErrorBody {
        ErrorBody { error: self.as_str().to_owned(), message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 10] = [
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
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{s}");
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
        assert_eq!(json, serde_json::json!({"error": "token_name_conflict", "message": "taken"}));
    }
}
