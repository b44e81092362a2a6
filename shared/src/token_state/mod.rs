//! Whether a token works, written once: each rule is a list of conditions on what is stored
//! about a token and its owner, which Rust evaluates ([`Rule::holds`]) and which renders to
//! the SQL condition D1 evaluates ([`Rule::sql`]). The statuses, the list's filters, the
//! expiry notice, revocation and rotation all take their rule from here, and so does what
//! an agent's request needs beyond a working token ([`Opens`]: its secret, its role, its
//! grants). `tests/tests/token_states.rs` evaluates every rule both ways, in D1, over every
//! combination of the facts, and finds them equal.

mod opens;
#[cfg(test)]
mod tests;

pub use opens::{Opening, Opens};

use crate::listing::EXPIRING_SOON_MS;
use crate::status::TokenStatus;

/// A value a rule's SQL compares with, for the statement's binder to turn into a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound<'a> {
    /// An instant, in Unix milliseconds.
    Instant(i64),
    /// A text, or NULL.
    Text(Option<&'a str>),
}

/// Turns each value a rule compares with into a placeholder of the statement it goes into
/// (or, in a test, a literal).
pub type Binder<'b> = dyn FnMut(Bound<'_>) -> String + 'b;

/// What the rules read of a token and its owner, as stored: the `tokens` row's
/// `revoked_at` and `expires_at` (milliseconds), and its owner's `disabled` (a token without
/// an owner, the bootstrap token, is never held back by one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub revoked_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub owner_disabled: bool,
}

/// One stored fact, at an instant where it depends on one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// Someone revoked it.
    Revoked,
    /// Its expiry has arrived by `at` (an expiry is the first instant it no longer works).
    ExpiredBy { at: i64 },
    /// Its expiry falls after `after` and by `until`.
    ExpiresWithin { after: i64, until: i64 },
    /// Its owner's account is disabled.
    OwnerDisabled,
}

impl Fact {
    fn holds(self, f: &Facts) -> bool {
        match self {
            Self::Revoked => f.revoked_at.is_some(),
            Self::ExpiredBy { at } => f.expires_at.is_some_and(|e| e <= at),
            Self::ExpiresWithin { after, until } => {
                f.expires_at.is_some_and(|e| e > after && e <= until)
            }
            Self::OwnerDisabled => f.owner_disabled,
        }
    }

    /// The fact, or its negation, as SQL. Negations are written out rather than wrapped in
    /// `NOT (…)`, so that SQLite can still use an index range on `expires_at`.
    fn sql(self, holds: bool, on: &Tables, bind: &mut Binder) -> String {
        let t = on.token;
        match (self, holds) {
            (Self::Revoked, true) => format!("{t}.revoked_at IS NOT NULL"),
            (Self::Revoked, false) => format!("{t}.revoked_at IS NULL"),
            (Self::ExpiredBy { at }, true) => {
                format!("({t}.expires_at IS NOT NULL AND {t}.expires_at <= {})", bind(Bound::Instant(at)))
            }
            (Self::ExpiredBy { at }, false) => {
                format!("({t}.expires_at IS NULL OR {t}.expires_at > {})", bind(Bound::Instant(at)))
            }
            (Self::ExpiresWithin { after, until }, true) => format!(
                "({t}.expires_at > {} AND {t}.expires_at <= {})",
                bind(Bound::Instant(after)),
                bind(Bound::Instant(until))
            ),
            (Self::ExpiresWithin { after, until }, false) => format!(
                "({t}.expires_at IS NULL OR {t}.expires_at <= {} OR {t}.expires_at > {})",
                bind(Bound::Instant(after)),
                bind(Bound::Instant(until))
            ),
            (Self::OwnerDisabled, holds) => match on.owner {
                Owner::Joined(u) => format!("COALESCE({u}.disabled, 0) = {}", u8::from(holds)),
                Owner::ById if holds => {
                    format!("{t}.owner_id IN (SELECT id FROM users WHERE disabled = 1)")
                }
                Owner::ById => format!(
                    "({t}.owner_id IS NULL OR {t}.owner_id NOT IN (SELECT id FROM users WHERE disabled = 1))"
                ),
            },
        }
    }
}

/// Where the SQL finds the facts: the `tokens` row's alias, and its owner.
#[derive(Debug, Clone, Copy)]
pub struct Tables<'a> {
    pub token: &'a str,
    pub owner: Owner<'a>,
}

/// How the SQL reads the owner's `disabled`.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// From the owner's `users` row, joined (LEFT JOIN) under this alias.
    Joined(&'a str),
    /// By the token's `owner_id`, among the disabled users (an index lookup, no join).
    ById,
}

impl Tables<'static> {
    /// `tokens t LEFT JOIN users u ON u.id = t.owner_id`, as most statements have them.
    pub const JOINED: Self = Self {
        token: "t",
        owner: Owner::Joined("u"),
    };

    /// The `tokens` table itself, unaliased (an `UPDATE`'s), its owner by `owner_id`.
    pub const UNALIASED: Self = Self {
        token: "tokens",
        owner: Owner::ById,
    };
}

/// Conditions that all hold: a fact that must be so, or must not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule(Vec<(Fact, bool)>);

impl Rule {
    fn all(conditions: &[(Fact, bool)]) -> Self {
        Self(conditions.to_vec())
    }

    /// A token whose status is `status` at `now`. First match wins in
    /// [`TokenStatus::derive`], and these say the same thing without an order: revocation is
    /// a deliberate act and outranks expiry; only a token that would otherwise work is held
    /// back by its owner.
    pub fn status(status: TokenStatus, now: i64) -> Self {
        let expired = Fact::ExpiredBy { at: now };
        match status {
            TokenStatus::Revoked => Self::all(&[(Fact::Revoked, true)]),
            TokenStatus::Expired => Self::all(&[(Fact::Revoked, false), (expired, true)]),
            TokenStatus::OwnerDisabled => Self::all(&[
                (Fact::Revoked, false),
                (expired, false),
                (Fact::OwnerDisabled, true),
            ]),
            TokenStatus::Active => Self::all(&[
                (Fact::Revoked, false),
                (expired, false),
                (Fact::OwnerDisabled, false),
            ]),
        }
    }

    /// A token that works at `now` (its status is Active): what every credential check
    /// starts from.
    pub fn works(now: i64) -> Self {
        Self::status(TokenStatus::Active, now)
    }

    /// A token that works now and stops within `EXPIRING_SOON_MS`: the list's Expiring soon
    /// filter, its badge and the daily expiry notice.
    pub fn expiring_soon(now: i64) -> Self {
        Self::all(&[
            (Fact::Revoked, false),
            (
                Fact::ExpiresWithin {
                    after: now,
                    until: now + EXPIRING_SOON_MS,
                },
                true,
            ),
            (Fact::OwnerDisabled, false),
        ])
    }

    /// A token that revoking or rotating changes something for: one that works, or would
    /// again once its owner is enabled ([`TokenStatus::may_revoke`]). A revoked token is
    /// revoked for good and an expired one can never work again (an expiry is not edited).
    pub fn revocable(now: i64) -> Self {
        Self::all(&[(Fact::Revoked, false), (Fact::ExpiredBy { at: now }, false)])
    }

    pub fn holds(&self, facts: &Facts) -> bool {
        self.0
            .iter()
            .all(|&(fact, wanted)| fact.holds(facts) == wanted)
    }

    /// The rule as a SQL condition on `on`'s tables; `bind` turns each instant it compares
    /// with into a placeholder (or, in a test, a literal).
    pub fn sql(&self, on: &Tables, bind: &mut Binder) -> String {
        self.0
            .iter()
            .map(|&(fact, wanted)| fact.sql(wanted, on, bind))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// Every instant the rule compares with, for a test to choose facts around them.
    pub fn instants(&self) -> Vec<i64> {
        self.0
            .iter()
            .flat_map(|(fact, _)| match *fact {
                Fact::ExpiredBy { at } => vec![at],
                Fact::ExpiresWithin { after, until } => vec![after, until],
                Fact::Revoked | Fact::OwnerDisabled => vec![],
            })
            .collect()
    }
}

impl Facts {
    /// Every combination of the facts the rules read, with expiries on and around each of
    /// `instants`: what the agreement tests range over.
    pub fn every(instants: &[i64]) -> Vec<Facts> {
        let mut expiries = vec![None];
        for &at in instants {
            expiries.extend([Some(at - 1), Some(at), Some(at + 1)]);
        }
        expiries.sort();
        expiries.dedup();
        let mut all = Vec::new();
        for revoked_at in [None, Some(5)] {
            for &expires_at in &expiries {
                for owner_disabled in [false, true] {
                    all.push(Facts {
                        revoked_at,
                        expires_at,
                        owner_disabled,
                    });
                }
            }
        }
        all
    }
}
