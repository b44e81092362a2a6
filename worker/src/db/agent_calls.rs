//! An agent's call and its token lookup in one `batch()`: one round trip to D1 for a
//! configuration download or a heartbeat, whose outcome comes back typed.

use super::agents::{self, Beat};
use super::configs;
use super::token_auth::lookup;
use super::tokens::TokenRow;
use shared::api::Config;
use shared::ConfigId;
use worker::{D1Database, D1PreparedStatement, D1Result};

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

/// What a batch cost D1, from its own `meta`: the rows it read and wrote (what D1 bills) and
/// the time its SQL took. The agent's answer carries it in `Server-Timing`, for an operator's
/// curl and for `make bench`'s cost and capacity table (README).
#[derive(Debug, Default, Clone, Copy)]
pub struct Cost {
    pub rows_read: usize,
    pub rows_written: usize,
    pub sql_ms: f64,
}

impl Cost {
    fn add(&mut self, answer: &D1Result) {
        // One read of the answer's meta for all three (an agent's hot path).
        if let Ok(Some(meta)) = answer.meta() {
            self.rows_read += meta.rows_read.unwrap_or(0);
            self.rows_written += meta.rows_written.unwrap_or(0);
            self.sql_ms += meta.duration.unwrap_or(0.0);
        }
    }

    /// The `Server-Timing` value.
    pub fn server_timing(&self) -> String {
        format!(
            "d1;dur={:.3};desc=\"rows read {}, written {}\"",
            self.sql_ms, self.rows_read, self.rows_written
        )
    }
}

/// An agent's call as presented: its token's hash, `OWNER_TOKEN`'s (the heartbeat's guard
/// reads it), the request's instant, and what it asks for.
pub struct Asked<'a> {
    pub token_hash: &'a str,
    pub configured: Option<&'a str>,
    pub now: i64,
    pub call: Call<'a>,
}

impl Asked<'_> {
    /// The presented token (by its hash) and the call, in one batch, and what it cost.
    pub async fn run(&self, db: &D1Database) -> worker::Result<(Option<TokenRow>, Outcome, Cost)> {
        let mut batch = vec![lookup(db, self.token_hash)?];
        batch.extend(self.statement(db)?);
        let answers = db.batch(batch).await?;
        let mut cost = Cost::default();
        answers.iter().for_each(|answer| cost.add(answer));
        let mut answers = answers.into_iter();
        let row = match answers.next() {
            Some(found) => found.results::<TokenRow>()?.into_iter().next(),
            None => None,
        };
        self.outcome(answers.next())
            .map(|outcome| (row, outcome, cost))
    }

    /// The call alone, after the lookup found no token but this request installed one (the
    /// bootstrap token, on the first request with a new `OWNER_TOKEN`): a second round trip
    /// then only.
    pub async fn again(&self, db: &D1Database) -> worker::Result<Outcome> {
        let answer = match self.statement(db)? {
            Some(statement) => Some(statement.run().await?),
            None => None,
        };
        self.outcome(answer)
    }

    fn statement(&self, db: &D1Database) -> worker::Result<Option<D1PreparedStatement>> {
        Ok(match &self.call {
            Call::Download(id) => Some(configs::get_statement(db, *id)?),
            Call::Beat(beat) => Some(agents::record(
                db,
                beat,
                self.token_hash,
                self.configured,
                self.now,
            )?),
            Call::Nothing => None,
        })
    }

    fn outcome(&self, answer: Option<D1Result>) -> worker::Result<Outcome> {
        Ok(match (&self.call, answer) {
            (Call::Download(_), Some(answer)) => {
                Outcome::Config(answer.results::<Config>()?.into_iter().next())
            }
            (Call::Beat(_), Some(_)) => Outcome::Recorded,
            _ => Outcome::Nothing,
        })
    }
}
