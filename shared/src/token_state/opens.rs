//! What an agent's request needs beyond a token that works: the secret it presented opens
//! the token (the current one, or the one a rotation replaced, within its overlap), the token
//! is not a bootstrap token whose `OWNER_TOKEN` value has changed since, and both the role it
//! acts with and its own grants allow the request. Rust and SQL, from one list of keys.

use super::{Binder, Bound, Facts, Owner, Rule, Tables};
use crate::permissions::{Action, Permissions, Resource};
use crate::roles::{acting_role, Role};
use crate::status::{TokenSource, TokenStatus};

/// What the rules read of a token a request presented, beside its status facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    pub facts: Facts,
    /// The presented secret is the token's current one; otherwise it is the one the token's
    /// last rotation replaced.
    pub presented_current: bool,
    /// Until when the replaced secret works.
    pub previous_until: Option<i64>,
    /// `OWNER_TOKEN`, when it holds a token string: whether that is this token's current
    /// secret. (Only a bootstrap token minds.)
    pub configured_current: Option<bool>,
    pub source: TokenSource,
    /// The owner's role; `None` for a token without an owner.
    pub owner_role: Option<Role>,
    /// The role of whoever created it: the token never acts above it.
    pub ceiling: Role,
    /// The token's own grants.
    pub permissions: Permissions,
}

impl Opening {
    /// What the presented secret is now: the token's status, except that the secret a
    /// rotation replaced is refused as revoked once its overlap is over.
    pub fn status(&self, now: i64) -> TokenStatus {
        let f = &self.facts;
        match TokenStatus::derive(f.revoked_at, f.expires_at, f.owner_disabled, now) {
            TokenStatus::Active | TokenStatus::OwnerDisabled
                if !self.presented_current && !self.previous_open(now) =>
            {
                TokenStatus::Revoked
            }
            status => status,
        }
    }

    fn previous_open(&self, now: i64) -> bool {
        self.previous_until.is_some_and(|until| until > now)
    }
}

/// One thing an agent's token must be (or, for [`Key::Superseded`], must not be).
#[derive(Debug, Clone, Copy)]
enum Key {
    /// The presented secret is the current one, or the replaced one within its overlap.
    SecretOpens,
    /// A bootstrap token whose secret is no longer `OWNER_TOKEN`'s value, while that is set.
    Superseded,
    /// The role it acts with (`roles::acting_role`) allows the request.
    RoleAllows,
    /// Its own grants allow the request.
    Grants,
}

const KEYS: [(Key, bool); 4] = [
    (Key::SecretOpens, true),
    (Key::Superseded, false),
    (Key::RoleAllows, true),
    (Key::Grants, true),
];

/// A token presented for `resource:action` at `now`: it works ([`Rule::works`]) and every
/// key holds as it must.
#[derive(Debug, Clone, Copy)]
pub struct Opens<'a> {
    pub resource: Resource,
    pub action: Action,
    pub now: i64,
    /// The presented secret's hash.
    pub presented: &'a str,
    /// `OWNER_TOKEN`'s hash, when it holds a token string.
    pub configured: Option<&'a str>,
}

impl Opens<'_> {
    pub fn holds(&self, o: &Opening) -> bool {
        Rule::works(self.now).holds(&o.facts)
            && KEYS.iter().all(|&(key, wanted)| self.key(key, o) == wanted)
    }

    /// The rule as a SQL condition on `on`'s tables, which the presented secret's hash found
    /// (`token_hash` or `previous_hash`); every value it compares with goes through `bind`.
    pub fn sql(&self, on: &Tables, bind: &mut Binder) -> String {
        let mut parts = vec![Rule::works(self.now).sql(on, bind)];
        for (key, wanted) in KEYS {
            let holds = self.key_sql(key, on, bind);
            // A key's SQL may be NULL (a NULL `previous_until`): as a WHERE takes it, not so.
            parts.push(if wanted {
                holds
            } else {
                format!("NOT COALESCE({holds}, 0)")
            });
        }
        parts.join(" AND ")
    }

    fn key(&self, key: Key, o: &Opening) -> bool {
        match key {
            Key::SecretOpens => o.presented_current || o.previous_open(self.now),
            Key::Superseded => {
                o.source == TokenSource::Bootstrap && o.configured_current == Some(false)
            }
            Key::RoleAllows => acting_role(o.owner_role, o.ceiling, o.source)
                .is_some_and(|role| role.permissions().allows(self.resource, self.action)),
            Key::Grants => o.permissions.allows(self.resource, self.action),
        }
    }

    fn key_sql(&self, key: Key, on: &Tables, bind: &mut Binder) -> String {
        let t = on.token;
        let bootstrap = Bound::Text(Some(TokenSource::Bootstrap.as_str()));
        match key {
            Key::SecretOpens => format!(
                "({t}.token_hash = {} OR {t}.previous_until > {})",
                bind(Bound::Text(Some(self.presented))),
                bind(Bound::Instant(self.now))
            ),
            Key::Superseded => format!(
                "({t}.source = {} AND {} IS NOT NULL AND {t}.token_hash != {})",
                bind(bootstrap),
                bind(Bound::Text(self.configured)),
                bind(Bound::Text(self.configured))
            ),
            Key::RoleAllows => {
                let (ownerless, owner_role) = match on.owner {
                    Owner::Joined(u) => (format!("{u}.id IS NULL"), format!("{u}.role")),
                    Owner::ById => (
                        format!("{t}.owner_id IS NULL"),
                        format!("(SELECT r.role FROM users r WHERE r.id = {t}.owner_id)"),
                    ),
                };
                let source = bind(bootstrap);
                let owners = roles(self.resource, self.action, bind);
                let ceilings = roles(self.resource, self.action, bind);
                format!(
                    "(CASE WHEN {ownerless} THEN {t}.source = {source} \
                     ELSE {owner_role} IN ({owners}) AND {t}.ceiling_role IN ({ceilings}) END)"
                )
            }
            // The stored grants are canonical (`Permissions`' Display): an item grants the
            // request when it is the pair itself or the resource's wildcard.
            Key::Grants => {
                let items: Vec<String> =
                    Permissions::canonical_items_granting(self.resource, self.action)
                        .iter()
                        .map(|item| {
                            format!(
                                "instr(',' || {t}.permissions || ',', {}) > 0",
                                bind(Bound::Text(Some(&format!(",{item},"))))
                            )
                        })
                        .collect();
                format!("({})", items.join(" OR "))
            }
        }
    }
}

/// The roles allowed `resource:action`, bound, for an `IN (…)`.
fn roles(resource: Resource, action: Action, bind: &mut Binder) -> String {
    Role::allowing(resource, action)
        .map(|r| bind(Bound::Text(Some(r.as_str()))))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Opening {
    /// Every combination of what the rules read, around `now`, with each of `grants`: what
    /// the agreement tests range over. A token without an owner has no owner to be disabled.
    pub fn every(now: i64, grants: &[Permissions]) -> Vec<Opening> {
        let previous = [None, Some(now - 1), Some(now), Some(now + 1)];
        let owners = std::iter::once(None).chain(Role::ALL.iter().copied().map(Some));
        let owners: Vec<Option<Role>> = owners.collect();
        let mut all = Vec::new();
        for facts in Facts::every(&[now]) {
            for &owner_role in &owners {
                if owner_role.is_none() && facts.owner_disabled {
                    continue;
                }
                for presented_current in [true, false] {
                    for previous_until in previous {
                        for configured_current in [None, Some(true), Some(false)] {
                            for source in [
                                TokenSource::User,
                                TokenSource::Preshared,
                                TokenSource::Bootstrap,
                            ] {
                                for &ceiling in Role::ALL {
                                    for &permissions in grants {
                                        all.push(Opening {
                                            facts,
                                            presented_current,
                                            previous_until,
                                            configured_current,
                                            source,
                                            owner_role,
                                            ceiling,
                                            permissions,
                                        });
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        all
    }
}
