//! People: users, sign-in and first-run setup. Requests that carry a password never print it.

use crate::id::UserId;
use crate::roles::Role;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A person who signs in. Never carries the password or its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: Timestamp,
}

/// `{"user": User}`: the answer of login, setup and me.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct UserEnvelope {
    pub user: User,
}

/// `GET /api/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct UserList {
    pub items: Vec<User>,
}

/// `GET /api/auth/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthStatus {
    pub setup_required: bool,
}

/// `POST /api/auth/setup`: the first user, who becomes the Owner.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetupRequest {
    pub username: String,
    #[cfg_attr(
        feature = "openapi",
        schemars(schema_with = "crate::openapi::derive::new_password")
    )]
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// `POST /api/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    #[cfg_attr(
        feature = "openapi",
        schemars(schema_with = "crate::openapi::derive::password")
    )]
    pub password: String,
}

/// `POST /api/users`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUserRequest {
    pub username: String,
    #[cfg_attr(
        feature = "openapi",
        schemars(schema_with = "crate::openapi::derive::new_password")
    )]
    pub password: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// `PATCH /api/users/{id}`: only what is present changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// `POST /api/auth/password`: one's own password, proved by the current one. Other sessions
/// of the account end; this one stays.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[cfg_attr(
        feature = "openapi",
        schemars(schema_with = "crate::openapi::derive::password")
    )]
    pub current_password: String,
    #[cfg_attr(
        feature = "openapi",
        schemars(schema_with = "crate::openapi::derive::new_password")
    )]
    pub new_password: String,
}

/// `POST /api/users/{id}/password`: an Owner or Administrator sets someone else's password.
/// Every session of that user ends.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    /// SPEC 9 names it `newPassword`; `password`, which earlier releases took, is still read.
    #[cfg_attr(
        feature = "openapi",
        schemars(schema_with = "crate::openapi::derive::new_password")
    )]
    #[serde(rename = "newPassword", alias = "password")]
    pub new_password: String,
}

impl std::fmt::Debug for ChangePasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePasswordRequest { <redacted> }")
    }
}

impl std::fmt::Debug for SetPasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetPasswordRequest { <redacted> }")
    }
}

/// Requests that carry a password print it redacted.
macro_rules! redacted_debug {
    ($($t:ident { $($field:ident),* }),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($t))
                    $(.field(stringify!($field), &self.$field))*
                    .field("password", &"<redacted>")
                    .finish()
            }
        }
    )*};
}
redacted_debug!(
    SetupRequest {
        username,
        display_name
    },
    LoginRequest { username },
    CreateUserRequest {
        username,
        role,
        display_name
    }
);
