//! Permissions: the `resource:action` string Telegraf Controller's API takes, the role matrix,
//! and the rule that a token never exceeds its owner (effective = token ∩ role).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use strum::{EnumString, IntoStaticStr, VariantArray};

#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Resource {
    Configs,
    Agents,
    Heartbeat,
    Tokens,
    Users,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Action {
    Read,
    Write,
    Delete,
}

impl Resource {
    /// Every resource, in the order the permissions grid shows them.
    pub const ALL: &'static [Resource] = Self::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// What the browser's permissions grid calls the row.
    pub fn label(self) -> &'static str {
        match self {
            Self::Configs => "Configs",
            Self::Agents => "Agents",
            Self::Heartbeat => "Heartbeat",
            Self::Tokens => "Tokens",
            Self::Users => "Users",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl Action {
    pub const ALL: &'static [Action] = Self::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Read => "Read",
            Self::Write => "Write",
            Self::Delete => "Delete",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// A set of (resource, action) grants, one bit each.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Permissions(u16);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermissionsError {
    Empty,
    Malformed(String),
    UnknownResource(String),
    UnknownAction(String),
}

impl fmt::Display for PermissionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let resources = Resource::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match self {
            Self::Empty => f.write_str("permissions must grant at least one resource:action pair"),
            Self::Malformed(p) => write!(
                f,
                "\"{p}\" is not a resource:action pair such as configs:read"
            ),
            Self::UnknownResource(r) => {
                write!(f, "unknown resource \"{r}\"; resources are {resources}")
            }
            Self::UnknownAction(a) => write!(
                f,
                "unknown action \"{a}\"; actions are read, write, delete and *"
            ),
        }
    }
}

fn bit(resource: Resource, action: Action) -> u16 {
    1 << (resource as u16 * 3 + action as u16)
}

impl Permissions {
    pub const NONE: Permissions = Permissions(0);
    pub const ALL: Permissions = Permissions((1 << 15) - 1);

    /// The "Telegraf Agent" preset: what an agent needs and nothing more.
    pub fn telegraf_agent() -> Self {
        Self::NONE
            .with(Resource::Configs, Action::Read)
            .with(Resource::Heartbeat, Action::Write)
    }

    pub fn with(self, resource: Resource, action: Action) -> Self {
        Self(self.0 | bit(resource, action))
    }

    pub fn without(self, resource: Resource, action: Action) -> Self {
        Self(self.0 & !bit(resource, action))
    }

    pub fn with_all(self, resource: Resource) -> Self {
        Action::ALL
            .iter()
            .copied()
            .fold(self, |p, a| p.with(resource, a))
    }

    pub fn allows(self, resource: Resource, action: Action) -> bool {
        self.0 & bit(resource, action) != 0
    }

    pub fn intersect(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    pub fn is_subset_of(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The items of the canonical form (`Display`) that grant `resource:action`: the pair
    /// itself or the resource's wildcard. Code that must test a stored permission string
    /// without parsing it (a SQL guard) looks for exactly these, comma-delimited.
    pub fn canonical_items_granting(resource: Resource, action: Action) -> [String; 2] {
        [
            format!("{}:{}", resource.as_str(), action.as_str()),
            format!("{}:*", resource.as_str()),
        ]
    }

    /// Parses `"configs:read, heartbeat:write, tokens:*"`. Pairs may repeat; spaces around
    /// pairs are ignored; an empty set is refused because such a token could do nothing.
    pub fn parse(text: &str) -> Result<Self, PermissionsError> {
        let mut set = Self::NONE;
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (resource, action) = pair
                .split_once(':')
                .ok_or_else(|| PermissionsError::Malformed(shorten(pair)))?;
            let resource = Resource::parse(resource)
                .ok_or_else(|| PermissionsError::UnknownResource(shorten(resource)))?;
            set = match action {
                "*" => set.with_all(resource),
                other => set.with(
                    resource,
                    Action::parse(other)
                        .ok_or_else(|| PermissionsError::UnknownAction(shorten(other)))?,
                ),
            };
        }
        if set.is_empty() {
            return Err(PermissionsError::Empty);
        }
        Ok(set)
    }
}

/// The canonical form: resources in a fixed order, `resource:*` for all three actions.
impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for &resource in Resource::ALL {
            let granted: Vec<Action> = Action::ALL
                .iter()
                .copied()
                .filter(|a| self.allows(resource, *a))
                .collect();
            let parts: Vec<String> = if granted.len() == Action::ALL.len() {
                vec![format!("{}:*", resource.as_str())]
            } else {
                granted
                    .iter()
                    .map(|a| format!("{}:{}", resource.as_str(), a.as_str()))
                    .collect()
            };
            for part in parts {
                if !first {
                    f.write_str(",")?;
                }
                first = false;
                f.write_str(&part)?;
            }
        }
        Ok(())
    }
}

impl Serialize for Permissions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl schemars::JsonSchema for Permissions {
    fn schema_name() -> String {
        "Permissions".to_owned()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        crate::openapi::derive::permissions_schema()
    }

    fn is_referenceable() -> bool {
        false
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permissions({self})")
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_items_granting_a_pair_are_found_exactly_when_it_is_granted() {
        // Every set there is: the SQL guard that looks for these items must agree with
        // `allows` on all of them.
        for bits in 1..=Permissions::ALL.0 {
            let set = Permissions(bits);
            let stored = format!(",{set},");
            for &resource in Resource::ALL {
                for &action in Action::ALL {
                    let found = Permissions::canonical_items_granting(resource, action)
                        .iter()
                        .any(|item| stored.contains(&format!(",{item},")));
                    assert_eq!(
                        found,
                        set.allows(resource, action),
                        "{set} {resource:?} {action:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn parses_pairs_and_wildcards() {
        let p = Permissions::parse("configs:read,heartbeat:write").unwrap();
        assert_eq!(p, Permissions::telegraf_agent());
        assert!(p.allows(Resource::Configs, Action::Read));
        assert!(!p.allows(Resource::Configs, Action::Write));
        let all_tokens = Permissions::parse(" tokens:* ").unwrap();
        for &action in Action::ALL {
            assert!(all_tokens.allows(Resource::Tokens, action));
        }
        assert_eq!(
            Permissions::parse("configs:read,configs:read")
                .unwrap()
                .to_string(),
            "configs:read"
        );
    }

    #[test]
    fn every_single_pair_round_trips() {
        for &resource in Resource::ALL {
            for &action in Action::ALL {
                let text = format!("{}:{}", resource.as_str(), action.as_str());
                let p = Permissions::parse(&text).unwrap();
                assert_eq!(p.to_string(), text);
                let others = Resource::ALL
                    .iter()
                    .copied()
                    .flat_map(|r| Action::ALL.iter().copied().map(move |a| (r, a)))
                    .filter(|&(r, a)| p.allows(r, a))
                    .count();
                assert_eq!(others, 1, "{text} grants exactly one pair");
            }
        }
    }

    #[test]
    fn canonical_form_collapses_full_resources() {
        let p =
            Permissions::parse("users:delete,configs:write,configs:read,configs:delete").unwrap();
        assert_eq!(p.to_string(), "configs:*,users:delete");
        assert_eq!(
            Permissions::ALL.to_string(),
            "configs:*,agents:*,heartbeat:*,tokens:*,users:*"
        );
    }

    #[test]
    fn refuses_what_is_not_a_permission() {
        use PermissionsError::*;
        let kind = |text: &str| match Permissions::parse(text) {
            Err(Empty) => "empty",
            Err(Malformed(_)) => "malformed",
            Err(UnknownResource(_)) => "resource",
            Err(UnknownAction(_)) => "action",
            Ok(_) => "accepted",
        };
        for (text, expected) in [
            ("", "empty"),
            (" , ", "empty"),
            ("configs", "malformed"),
            ("dns:read", "resource"),
            ("configs:admin", "action"),
            ("Configs:read", "resource"),
            ("configs:read;users:*", "action"),
        ] {
            assert_eq!(kind(text), expected, "{text:?}");
        }
    }

    #[test]
    fn intersection_and_subset() {
        let agent = Permissions::telegraf_agent();
        let read_all = Resource::ALL
            .iter()
            .copied()
            .fold(Permissions::NONE, |p, r| p.with(r, Action::Read));
        assert_eq!(agent.intersect(read_all).to_string(), "configs:read");
        assert!(agent.is_subset_of(Permissions::ALL));
        assert!(!Permissions::ALL.is_subset_of(agent));
        assert!(Permissions::NONE.is_subset_of(agent));
        assert_eq!(
            agent.without(Resource::Configs, Action::Read).to_string(),
            "heartbeat:write"
        );
        assert_eq!(agent.without(Resource::Users, Action::Read), agent);
    }
}
