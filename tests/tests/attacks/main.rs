//! Attacks, each written as the exact request sequence an attacker would send (issue 8). Every
//! test here failed against the code before the fix and passes after it.
//!
//! One module per area: `roles` (holes 1, 8 and 9), `bootstrap` (2 and the bootstrap part of
//! 11), `signin` (3, 4 and the session cookie of 11), `lockout` (sign-in throttling turned
//! against the user: one username locked by anyone, from anywhere), `requests` (5, 6, 7 and
//! the invalid-token limit of 11), `headers` (10); from the second security round, `rotation`
//! (a replaced secret, a lower role's rotation, a previous secret registered again) and
//! `deletion` (a deleted token's name left in other records); from issue 22, `scope` (a
//! token scoped to configurations reaching others), `addresses` (one limited to addresses
//! used from elsewhere) and `policy` (the lifetime policy bypassed through rotation or a
//! token's child).

mod addresses;
mod bootstrap;
mod deletion;
mod headers;
mod heartbeats;
mod lockout;
mod policy;
mod requests;
mod roles;
mod rotation;
mod scope;
mod signin;

pub use tests::answers::error_code as code;
pub use tests::answers::error_message as message;
pub use tests::answers::expect_error;
use tests::TestServer;

/// The events of one kind in a token's history, newest first.
pub async fn events_of(
    owner: &tests::Actor,
    token: shared::TokenId,
    kind: shared::api::EventKind,
) -> Vec<shared::api::TokenEvent> {
    let history = owner.history(token).await;
    history.into_iter().filter(|e| e.kind == kind).collect()
}

/// A configuration as the scope and address attacks serve it.
pub const TOML: &str = "[agent]\n  interval = \"10s\"\n";

pub const OWNER_TOKEN_A: &str =
    "tc-apiv1_a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11c";
pub const OWNER_TOKEN_B: &str =
    "tc-apiv1_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

pub use tests::now_ms;

/// A GET with this token string as the bearer.
pub async fn with_bearer(server: &TestServer, secret: &str, path: &str) -> reqwest::Response {
    server
        .send(server.http().get(server.url(path)).bearer_auth(secret))
        .await
}
