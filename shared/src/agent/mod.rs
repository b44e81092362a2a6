//! What the fleet page says about an agent, from what its heartbeats left behind.

use serde::{Deserialize, Serialize};
use strum::IntoStaticStr;

mod query;
pub use query::{AgentCursor, AgentQuery, AGENT_PAGE, MAX_AGENT_PAGE};

/// How many of its own intervals an agent may stay silent before it is "not reporting".
pub const SILENT_INTERVALS: i64 = 3;
/// How long an agent whose interval is not known yet (one heartbeat so far) may stay silent.
pub const SILENT_UNKNOWN_MS: i64 = 5 * 60 * 1000;
/// A heartbeat that changes nothing the fleet page shows (status, version, configurations,
/// hostname, token) is written at most this often per agent; a change is written at once. So
/// the stored last-seen time may trail the agent's latest heartbeat by up to this much, and
/// an agent that beats faster is seen to beat about this often.
pub const BEAT_WRITE_EVERY_MS: i64 = 60 * 1000;
/// The least silence that counts, whatever the interval: two heartbeats sent moments apart (a
/// restart, a retry) must not make an agent look dead a second later, nor may the stored
/// last-seen time's lag ([`BEAT_WRITE_EVERY_MS`]) plus one more interval.
pub const SILENT_MIN_MS: i64 = 2 * BEAT_WRITE_EVERY_MS;
/// An agent not heard from for this long is forgotten by the daily housekeeping.
pub const AGENT_FORGOTTEN_AFTER_MS: i64 = 30 * 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AgentState {
    /// Its heartbeats arrive on time.
    Reporting,
    /// Silent for more than three of its intervals (five minutes when the interval is not
    /// known yet).
    NotReporting,
    /// Its latest heartbeat was refused: the token it uses was revoked, expired or its owner
    /// disabled.
    Refused,
}

impl AgentState {
    pub const ALL: &'static [AgentState] = <Self as strum::VariantArray>::VARIANTS;

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    /// First match wins: a refusal after the last accepted heartbeat, then silence.
    pub fn derive(
        last_seen_ms: i64,
        interval_ms: Option<i64>,
        refused_at_ms: Option<i64>,
        now_ms: i64,
    ) -> Self {
        if refused_at_ms.is_some_and(|refused| refused >= last_seen_ms) {
            return Self::Refused;
        }
        let allowed = interval_ms
            .filter(|i| *i > 0)
            .map_or(SILENT_UNKNOWN_MS, |i| {
                i.saturating_mul(SILENT_INTERVALS).max(SILENT_MIN_MS)
            });
        if now_ms - last_seen_ms > allowed {
            Self::NotReporting
        } else {
            Self::Reporting
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Reporting => "Reporting",
            Self::NotReporting => "Not reporting",
            Self::Refused => "Refused",
        }
    }
}

/// The Agents page's filters, kept in its address (`/agents?state=refused&q=edge`): a state,
/// and a search in the agent id or hostname.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentFilter {
    pub state: Option<AgentState>,
    pub q: Option<String>,
}

impl AgentFilter {
    /// What an address asks for; unknown parameters and bad values are ignored.
    pub fn from_address(search: &str) -> Self {
        let mut filter = Self::default();
        for (key, value) in crate::address::pairs(search) {
            match key.as_str() {
                "state" => filter.state = AgentState::parse(&value),
                "q" => filter.q = Some(value.trim().to_owned()).filter(|q| !q.is_empty()),
                _ => {}
            }
        }
        filter
    }

    pub fn to_address(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(state) = self.state {
            pairs.push(("state", state.as_str().to_owned()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        crate::address::query(&pairs)
    }

    /// Whether an agent with this id, hostname and state is shown. Search ignores ASCII case
    /// (host names are ASCII; the browser app carries no Unicode case tables for the rest).
    pub fn shows(&self, id: &str, hostname: Option<&str>, state: AgentState) -> bool {
        let in_state = self.state.is_none_or(|s| s == state);
        let found = self.q.as_deref().is_none_or(|q| {
            let q = q.to_ascii_lowercase();
            id.to_ascii_lowercase().contains(&q)
                || hostname.is_some_and(|h| h.to_ascii_lowercase().contains(&q))
        });
        in_state && found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agents_filter_reads_its_address_and_picks_by_state_and_search() {
        let filter = AgentFilter::from_address("?state=refused&q=Edge+01&other=1");
        assert_eq!(filter.state, Some(AgentState::Refused));
        assert_eq!(filter.q.as_deref(), Some("Edge 01"));
        assert_eq!(AgentFilter::from_address(&filter.to_address()), filter);
        assert_eq!(
            AgentFilter::from_address("?state=sleeping"),
            AgentFilter::default()
        );
        assert_eq!(AgentFilter::default().to_address(), "");
        assert!(filter.shows("edge 01", None, AgentState::Refused));
        assert!(filter.shows("x", Some("EDGE 01.example"), AgentState::Refused));
        assert!(!filter.shows("edge 01", None, AgentState::Reporting));
        assert!(!filter.shows("core", Some("core.example"), AgentState::Refused));
        assert!(AgentFilter::default().shows("any", None, AgentState::NotReporting));
    }

    const MIN: i64 = 60_000;

    #[test]
    fn silence_is_measured_in_the_agents_own_intervals() {
        let state = |interval, now| AgentState::derive(0, interval, None, now);
        assert_eq!(state(Some(60_000), 180_000), AgentState::Reporting);
        assert_eq!(state(Some(60_000), 180_001), AgentState::NotReporting);
        assert_eq!(
            state(Some(50), 2 * MIN),
            AgentState::Reporting,
            "a burst is not an interval"
        );
        assert_eq!(state(Some(50), 2 * MIN + 1), AgentState::NotReporting);
        assert_eq!(
            state(Some(10_000), BEAT_WRITE_EVERY_MS + 10_000),
            AgentState::Reporting,
            "a fast agent whose unchanged beats were not written for a minute is reporting"
        );
        assert_eq!(state(None, 5 * MIN), AgentState::Reporting);
        assert_eq!(state(None, 5 * MIN + 1), AgentState::NotReporting);
        assert_eq!(
            state(Some(0), 5 * MIN + 1),
            AgentState::NotReporting,
            "no usable interval"
        );
    }

    #[test]
    fn a_refusal_after_the_last_heartbeat_wins_and_a_later_heartbeat_clears_it() {
        assert_eq!(
            AgentState::derive(MIN, None, Some(2 * MIN), 2 * MIN),
            AgentState::Refused
        );
        assert_eq!(
            AgentState::derive(3 * MIN, None, Some(2 * MIN), 3 * MIN),
            AgentState::Reporting
        );
        assert_eq!(
            serde_json::to_value(AgentState::NotReporting).unwrap(),
            "not_reporting"
        );
    }
}
