//! One error type for every handler; it alone decides status codes and error bodies.

use shared::ErrorCode;
use worker::{console_error, Response};

#[derive(Debug)]
pub enum ApiError {
    /// A 4xx: the code fixes the status, the message tells a person what to change.
    Client { code: ErrorCode, message: String },
    /// 429 `too_many_attempts`, with `Retry-After` in whole seconds.
    Throttled { message: String, retry_after_secs: i64 },
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
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::client(ErrorCode::Forbidden, message)
    }

    pub fn into_response(self) -> Response {
        match self {
            Self::Client { code, message } => crate::http::json(code.status(), &code.body(message)),
            Self::Throttled {
                message,
                retry_after_secs,
            } => {
                let code = ErrorCode::TooManyAttempts;
                crate::http::with_header(
                    crate::http::json(code.status(), &code.body(message)),
                    "Retry-After",
                    &retry_after_secs.to_string(),
                )
            }
            Self::MethodNotAllowed(allowed) => {
                let allow = allowed.join(", ");
                let body =
                    ErrorCode::MethodNotAllowed.body(format!("this path accepts only {allow}"));
                crate::http::with_header(crate::http::json(405, &body), "Allow", &allow)
            }
            Self::Internal(cause) => {
                console_error!("internal error: {cause}");
                let body = ErrorCode::Internal
                    .body("something went wrong on our side; the request may be retried");
                crate::http::json(500, &body)
            }
        }
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        Self::Internal(e.to_string())
    }
}
