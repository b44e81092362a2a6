//! One error type for every handler; it alone decides status codes and error bodies. Domain
//! errors convert into it with `From`, so handlers use `?`; the named constructors below are
//! the only other way to make one.

use crate::response::{json, with_header};
use shared::account::AccountError;
use shared::config::TomlError;
use shared::name::NameError;
use shared::permissions::PermissionsError;
use shared::token_scope::OUTSIDE_SCOPE;
use shared::{ConfigId, ErrorCode, TokenId, UserId};
use worker::{console_error, Response};

#[derive(Debug)]
pub enum ApiError {
    /// A 4xx: the code fixes the status, the message tells a person what to change; `ids`
    /// names the ids sent that it is about, if any.
    Client {
        code: ErrorCode,
        message: String,
        ids: Vec<String>,
    },
    /// 429 `too_many_attempts`, with `Retry-After` in whole seconds.
    Throttled {
        message: String,
        retry_after_secs: i64,
    },
    /// 405, answered with an `Allow` header listing what the path accepts.
    MethodNotAllowed(Vec<&'static str>),
    /// A 500: the cause is logged; the client learns only that it was our fault.
    Internal(String),
}

impl ApiError {
    pub fn client(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Client {
            code,
            message: message.into(),
            ids: Vec::new(),
        }
    }

    /// The same error, naming the ids it is about (`ErrorBody::ids`).
    pub fn about<T: ToString>(self, at_fault: &[T]) -> Self {
        match self {
            Self::Client { code, message, .. } => Self::Client {
                code,
                message,
                ids: at_fault.iter().map(ToString::to_string).collect(),
            },
            other => other,
        }
    }

    /// 400 `invalid_request`: the body or a parameter breaks the contract.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::InvalidRequest, message)
    }

    /// 400 `invalid_id`: an id that is not a UUID.
    pub fn invalid_id(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::InvalidId, message)
    }

    /// 401 `invalid_token`, with one of SPEC 5's exact messages.
    pub fn token_refused(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::InvalidToken, message)
    }

    /// 403 `forbidden`: authenticated, but the rules do not allow it.
    /// 503: a setting is missing or malformed; the message names it.
    pub fn misconfigured(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::Misconfigured, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::Forbidden, message)
    }

    /// 404 `token_not_found` (also for a token the caller may not see).
    pub fn token_not_found(id: TokenId) -> Self {
        Self::client(
            ErrorCode::TokenNotFound,
            format!("there is no token with id {id}"),
        )
    }

    /// 404 `user_not_found`.
    pub fn user_not_found(id: UserId) -> Self {
        Self::client(
            ErrorCode::UserNotFound,
            format!("there is no user with id {id}"),
        )
    }

    /// 404 `config_not_found`.
    pub fn config_not_found(id: ConfigId) -> Self {
        Self::client(
            ErrorCode::ConfigNotFound,
            format!("there is no configuration with id {id}"),
        )
    }

    /// A configuration outside the calling token's scope, whether or not it exists: the same
    /// 404 either way, so the answer confirms no id the token may not read.
    pub fn outside_config_scope() -> Self {
        Self::client(ErrorCode::ConfigNotFound, OUTSIDE_SCOPE)
    }

    /// A 409 with its code: the request conflicts with what is stored.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.status(), 409, "{code:?} is not a conflict");
        Self::client(code, message)
    }

    pub fn into_response(self) -> Response {
        match self {
            Self::Client { code, message, ids } => json(
                code.status(),
                &shared::ErrorBody {
                    ids,
                    ..code.body(message)
                },
            ),
            Self::Throttled {
                message,
                retry_after_secs,
            } => {
                let code = ErrorCode::TooManyAttempts;
                with_header(
                    json(code.status(), &code.body(message)),
                    "Retry-After",
                    &retry_after_secs.to_string(),
                )
            }
            Self::MethodNotAllowed(allowed) => {
                let allow = allowed.join(", ");
                let body =
                    ErrorCode::MethodNotAllowed.body(format!("this path accepts only {allow}"));
                with_header(json(405, &body), "Allow", &allow)
            }
            Self::Internal(cause) => {
                console_error!("internal error: {cause}");
                let body = ErrorCode::Internal
                    .body("something went wrong on our side; the request may be retried");
                json(500, &body)
            }
        }
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

/// Validation errors of the shared rules are the caller's to fix: 400 with their own words.
macro_rules! invalid_request_from {
    ($($error:ty),+) => {$(
        impl From<$error> for ApiError {
            fn from(e: $error) -> Self {
                Self::invalid(e.to_string())
            }
        }
    )+};
}

invalid_request_from!(NameError, PermissionsError, AccountError, TomlError);

impl From<wasm_bindgen::JsValue> for ApiError {
    /// A runtime API (WebCrypto) that threw: ours to look into.
    fn from(e: wasm_bindgen::JsValue) -> Self {
        Self::Internal(format!("runtime call failed: {e:?}"))
    }
}

impl From<serde_json::Error> for ApiError {
    /// Encoding our own values cannot fail on valid data: if it does, it is our fault.
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("JSON encoding failed: {e}"))
    }
}
