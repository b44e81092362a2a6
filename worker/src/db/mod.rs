//! All SQL lives under this module, one file per table; nothing here knows about HTTP.

pub mod agent_calls;
pub mod agents;
pub mod audit;
pub mod audit_denials;
pub mod configs;
pub mod devices;
pub mod ownership;
pub mod password_checks;
pub mod schedule;
pub mod sessions;
pub mod signin;
pub mod statement;
pub mod token_auth;
pub mod token_bulk;
mod token_columns;
pub mod token_events;
pub mod token_failures;
mod token_insert;
pub mod token_list;
pub mod token_policy;
pub mod token_rotation;
pub mod token_scope;
mod token_search;
pub mod tokens;
pub mod user_passwords;
pub mod users;

use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use worker::{D1Database, Env};

/// The D1 binding named in `wrangler.toml`.
pub fn database(env: &Env) -> worker::Result<D1Database> {
    env.d1("DB")
}

/// Rows changed by a write, as D1 reports it.
/// What D1 says a statement read (`meta.rows_read`): what it bills, and what an admin page
/// reports in `Server-Timing`.
fn rows_read(answer: &worker::D1Result) -> usize {
    answer
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.rows_read)
        .unwrap_or(0)
}

fn changes(result: &worker::D1Result) -> worker::Result<usize> {
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0))
}

/// D1 reports constraint violations only as text; this recognises which unique index fired.
fn unique_violation(error: &worker::Error, column: &str) -> bool {
    let text = error.to_string();
    text.contains("UNIQUE constraint failed") && text.contains(column)
}

/// Whether a write failed because a row it names is gone (a token's configuration scope
/// naming a configuration deleted since it was checked, or the token itself).
fn foreign_key_violation(error: &worker::Error) -> bool {
    error.to_string().contains("FOREIGN KEY constraint failed")
}

/// Whether a write failed because a token string is already some token's secret, current or
/// previous: the unique indexes, or the schema's `tokens_one_value_*` triggers that keep the
/// two columns apart.
pub fn value_conflict(error: &worker::Error) -> bool {
    unique_violation(error, "tokens.token_hash")
        || unique_violation(error, "tokens.previous_hash")
        || error.to_string().contains("token_value_conflict")
}

/// A 0/1 column as a `bool`. D1 hands numbers over as JavaScript numbers, which serde's
/// `flatten` reads as floats, so every numeric form is accepted.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct Flag;

    impl Visitor<'_> for Flag {
        type Value = bool;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("0 or 1")
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
            Ok(v != 0.0)
        }
    }

    d.deserialize_any(Flag)
}
