//! All SQL lives under this module, one file per table; nothing here knows about HTTP.

pub mod agents;
pub mod configs;
pub mod login_failures;
pub mod sessions;
pub mod token_auth;
pub mod token_bulk;
pub mod token_failures;
pub mod token_list;
pub mod tokens;
pub mod users;

use worker::{D1Database, Env};

/// The D1 binding named in `wrangler.toml`.
pub fn database(env: &Env) -> worker::Result<D1Database> {
    env.d1("DB")
}

/// Rows changed by a write, as D1 reports it.
fn changes(result: &worker::D1Result) -> worker::Result<usize> {
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0))
}

/// D1 reports constraint violations only as text; this recognises which unique index fired.
fn unique_violation(error: &worker::Error, column: &str) -> bool {
    let text = error.to_string();
    text.contains("UNIQUE constraint failed") && text.contains(column)
}
