//! `GET /api/agents`, a page at a time: the filters the fleet page offers (state, a search by
//! id or hostname, one token's agents), rendered to SQL beside their Rust forms
//! ([`AgentState::derive`], [`AgentFilter::shows`]), which a test holds in agreement in D1.

use super::{AgentFilter, AgentState, SILENT_INTERVALS, SILENT_MIN_MS, SILENT_UNKNOWN_MS};
use crate::token::{to_hex, unhex};
use crate::token_state::{Binder, Bound};
use crate::TokenId;

/// Agents per page unless the request says otherwise, and the most it may say.
pub const AGENT_PAGE: u32 = 100;
pub const MAX_AGENT_PAGE: u32 = 500;

/// What one request for agents asks: the filters, and where the page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentQuery {
    pub filter: AgentFilter,
    /// Only the agents whose latest heartbeat used this token.
    pub token: Option<TokenId>,
    /// After this agent, in the list's order (most recently seen first).
    pub after: Option<AgentCursor>,
    pub limit: u32,
}

impl Default for AgentQuery {
    fn default() -> Self {
        Self {
            filter: AgentFilter::default(),
            token: None,
            after: None,
            limit: AGENT_PAGE,
        }
    }
}

/// Where a page of agents ends: its last agent's last-seen time and key (an agent id is
/// unique within the owner its token had, so the owner's key takes part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCursor {
    pub last_seen: i64,
    pub owner_key: String,
    pub id: String,
}

impl AgentCursor {
    /// `a1.<last seen>.<owner key in hex>.<id in hex>`: opaque to clients, whatever the
    /// id holds.
    pub fn encode(&self) -> String {
        format!(
            "a1.{}.{}.{}",
            self.last_seen,
            to_hex(self.owner_key.as_bytes()),
            to_hex(self.id.as_bytes())
        )
    }

    pub fn decode(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.');
        let (version, at, owner, id) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version != "a1" || parts.next().is_some() {
            return None;
        }
        Some(Self {
            last_seen: at.parse().ok()?,
            owner_key: String::from_utf8(unhex(owner)?).ok()?,
            id: String::from_utf8(unhex(id)?).ok()?,
        })
    }
}

impl AgentQuery {
    /// A request's query string; unknown parameters and bad values are refused, each with
    /// what would be right.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, String> {
        let mut query = Self::default();
        for (key, value) in pairs {
            match key {
                "state" if value.is_empty() => query.filter.state = None,
                "state" => {
                    query.filter.state = Some(AgentState::parse(value).ok_or_else(|| {
                        let states: Vec<_> = AgentState::ALL.iter().map(|s| s.as_str()).collect();
                        format!("state must be one of {}", states.join(", "))
                    })?)
                }
                "q" => {
                    let q = value.trim();
                    if q.chars().count() > 255 {
                        return Err("q is at most 255 characters".into());
                    }
                    query.filter.q = (!q.is_empty()).then(|| q.to_owned());
                }
                "token" => {
                    query.token = Some(
                        TokenId::parse(value).ok_or("token must be a token's id (a UUID)")?,
                    )
                }
                "cursor" => {
                    query.after = Some(
                        AgentCursor::decode(value)
                            .ok_or("cursor must be the nextCursor of the previous page")?,
                    )
                }
                "limit" => {
                    query.limit = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_AGENT_PAGE).contains(n))
                        .ok_or(format!(
                            "limit must be a whole number from 1 to {MAX_AGENT_PAGE}"
                        ))?
                }
                other => {
                    return Err(format!(
                        "unknown query parameter \"{}\"; the agents list accepts state, q, token, cursor and limit",
                        other.chars().take(50).collect::<String>()
                    ))
                }
            }
        }
        Ok(query)
    }

    /// The query string of the filters and page size, which [`AgentQuery::parse`] reads
    /// back; the cursor, opaque to clients, goes as the server gave it
    /// ([`AgentCursor::encode`]).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(state) = self.filter.state {
            pairs.push(("state", state.as_str().to_owned()));
        }
        if let Some(q) = &self.filter.q {
            pairs.push(("q", q.clone()));
        }
        if let Some(token) = self.token {
            pairs.push(("token", token.to_string()));
        }
        pairs.push(("limit", self.limit.to_string()));
        pairs
    }
}

impl AgentState {
    /// This state as a condition on the `agents` row aliased `a`, at `now`: what
    /// [`AgentState::derive`] decides, in SQL.
    pub fn sql(self, now: i64, bind: &mut Binder<'_>) -> String {
        let refused = "(a.refused_at IS NOT NULL AND a.refused_at >= a.last_seen)";
        if self == Self::Refused {
            return refused.to_owned();
        }
        let (n, min, unknown, now) = (
            bind(Bound::Instant(SILENT_INTERVALS)),
            bind(Bound::Instant(SILENT_MIN_MS)),
            bind(Bound::Instant(SILENT_UNKNOWN_MS)),
            bind(Bound::Instant(now)),
        );
        let allowed = format!(
            "(CASE WHEN a.interval_ms > 0 THEN max(a.interval_ms * {n}, {min}) ELSE {unknown} END)"
        );
        let silent = if self == Self::NotReporting {
            ">"
        } else {
            "<="
        };
        format!("(NOT {refused} AND {now} - a.last_seen {silent} {allowed})")
    }
}

impl AgentFilter {
    /// The filter as conditions on the `agents` row aliased `a`: what [`AgentFilter::shows`]
    /// decides, in SQL. SQLite's `lower()` folds ASCII only, as `shows` does.
    pub fn sql(&self, now: i64, bind: &mut Binder<'_>) -> Vec<String> {
        let mut conditions = Vec::new();
        if let Some(state) = self.state {
            conditions.push(state.sql(now, bind));
        }
        if let Some(q) = &self.q {
            let q = bind(Bound::Text(Some(&q.to_ascii_lowercase())));
            conditions.push(format!(
                "(instr(lower(a.id), {q}) > 0 OR instr(lower(COALESCE(a.hostname, '')), {q}) > 0)"
            ));
        }
        conditions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reads_back_what_it_writes_and_refuses_bad_values_with_the_fix() {
        let query = AgentQuery {
            filter: AgentFilter {
                state: Some(AgentState::NotReporting),
                q: Some("edge.01".into()),
            },
            token: Some(TokenId::from_uuid(uuid::Uuid::from_u128(7))),
            after: Some(AgentCursor {
                last_seen: 1_700_000_000_000,
                owner_key: String::new(),
                id: "host.with.dots ü".into(),
            }),
            limit: 20,
        };
        let mut pairs = query.pairs();
        pairs.push(("cursor", query.after.as_ref().unwrap().encode()));
        let parsed = AgentQuery::parse(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(parsed, Ok(query));
        assert_eq!(AgentQuery::parse([]), Ok(AgentQuery::default()));
        for (key, value, says) in [
            (
                "state",
                "asleep",
                "state must be one of reporting, not_reporting, refused",
            ),
            ("limit", "0", "limit must be a whole number from 1 to 500"),
            ("limit", "501", "limit must be a whole number from 1 to 500"),
            ("cursor", "a1.x.00.00", "cursor must be the nextCursor"),
            ("cursor", "v1.1.00.00", "cursor must be the nextCursor"),
            ("token", "7", "token must be a token's id"),
            ("sort", "id", "unknown query parameter \"sort\""),
        ] {
            let error = AgentQuery::parse([(key, value)]).unwrap_err();
            assert!(error.starts_with(says), "{key}={value}: {error}");
        }
    }

    #[test]
    fn the_sql_forms_bind_every_value_and_quote_no_state() {
        let mut bound = Vec::new();
        let mut bind = |b: Bound<'_>| {
            bound.push(format!("{b:?}"));
            format!("?{}", bound.len())
        };
        let filter = AgentFilter {
            state: Some(AgentState::Reporting),
            q: Some("EDGE".into()),
        };
        let sql = filter.sql(5, &mut bind).join(" AND ");
        assert!(!sql.contains("reporting") && !sql.contains("EDGE") && !sql.contains("edge"));
        assert!(sql.contains("?5"), "{sql}");
        assert_eq!(
            bound.last().map(String::as_str),
            Some("Text(Some(\"edge\"))")
        );
    }
}
