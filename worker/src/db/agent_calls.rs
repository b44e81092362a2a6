//! An agent's call and its token lookup in one `batch()`: one round trip to D1 for a
//! configuration download or a heartbeat, whose outcome comes back typed.

use super::agents::{self, Beat};
use super::configs;
use super::token_auth::lookup;
use super::tokens::TokenRow;
use shared::api::Config;
use shared::ConfigId;
use worker::{D1Database, D1Result};

/// What the agent asks for, beside its token's lookup.
pub enum Call<'a> {
    /// A configuration's TOML.
    Download(ConfigId),
    /// A heartbeat to record, guarded by the token's own rule (`token_state::Opens`).
    Beat(Beat<'a>),
    /// Nothing to run beside the lookup (a malformed id or body, answered once the caller is
    /// known).
    Nothing,
}

/// What the call came back with.
pub enum Outcome {
    /// The configuration, or none with that id.
    Config(Option<Config>),
    /// The heartbeat's statement ran: it wrote exactly when the token opens for heartbeats.
    Recorded,
    Nothing,
}

/// The presented token (by its hash) and the call, in one batch; with `OWNER_TOKEN`'s hash as
/// the heartbeat's guard needs it.
pub async fn run(
    db: &D1Database,
    token_hash: &str,
    configured: Option<&str>,
    now: i64,
    call: &Call<'_>,
) -> worker::Result<(Option<TokenRow>, Outcome)> {
    let mut batch = vec![lookup(db, token_hash)?];
    batch.extend(statement(db, token_hash, configured, now, call)?);
    let mut answers = db.batch(batch).await?.into_iter();
    let row = match answers.next() {
        Some(found) => found.results::<TokenRow>()?.into_iter().next(),
        None => None,
    };
    Ok((row, outcome(call, answers.next())?))
}

/// The call alone, after the lookup found no token but this request installed one (the
/// bootstrap token, on the first request with a new `OWNER_TOKEN`): a second round trip then
/// only.
pub async fn again(
    db: &D1Database,
    token_hash: &str,
    configured: Option<&str>,
    now: i64,
    call: &Call<'_>,
) -> worker::Result<Outcome> {
    let answer = match statement(db, token_hash, configured, now, call)? {
        Some(statement) => Some(statement.run().await?),
        None => None,
    };
    outcome(call, answer)
}

fn statement(
    db: &D1Database,
    token_hash: &str,
    configured: Option<&str>,
    now: i64,
    call: &Call<'_>,
) -> worker::Result<Option<worker::D1PreparedStatement>> {
    Ok(match call {
        Call::Download(id) => Some(configs::get_statement(db, *id)?),
        Call::Beat(beat) => Some(agents::record(db, beat, token_hash, configured, now)?),
        Call::Nothing => None,
    })
}

fn outcome(call: &Call<'_>, answer: Option<D1Result>) -> worker::Result<Outcome> {
    Ok(match (call, answer) {
        (Call::Download(_), Some(answer)) => {
            Outcome::Config(answer.results::<Config>()?.into_iter().next())
        }
        (Call::Beat(_), Some(_)) => Outcome::Recorded,
        _ => Outcome::Nothing,
    })
}
