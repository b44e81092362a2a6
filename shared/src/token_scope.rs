//! What a token may reach besides its permissions: the configurations it may read (its
//! configuration scope). A scope is all configurations, or a set of them; a token creating or
//! changing a token hands on at most its own.

use crate::ConfigId;
use std::collections::BTreeSet;

/// The most configurations one token may name.
pub const MAX_CONFIG_SCOPE: usize = 200;

/// The 404 a token scoped to configurations gets for any configuration outside its scope,
/// whether or not it exists: the answer confirms no id it may not read.
pub const OUTSIDE_SCOPE: &str =
    "No configuration with this id among those this token may read (its configuration scope)";

/// What a token's history says of a download refused for its scope.
pub const OUTSIDE_SCOPE_REFUSAL: &str = "Configuration outside the token's scope";

/// Which configurations a token may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigScope {
    All,
    /// These only; none once every one of them was deleted.
    Only(BTreeSet<ConfigId>),
}

impl ConfigScope {
    /// A request's `configScope`: absent or null for all, or a list of configuration ids
    /// (each once, at most [`MAX_CONFIG_SCOPE`]); a bad entry is named.
    pub fn parse(ids: Option<&[String]>) -> Result<Self, String> {
        let Some(ids) = ids else {
            return Ok(Self::All);
        };
        if ids.len() > MAX_CONFIG_SCOPE {
            return Err(format!(
                "configScope names at most {MAX_CONFIG_SCOPE} configurations; give none (null) for all"
            ));
        }
        let mut set = BTreeSet::new();
        for raw in ids {
            let id = ConfigId::parse(raw.trim()).ok_or_else(|| {
                format!(
                    "configScope: \"{}\" is not a configuration id (a UUID)",
                    raw.chars().take(60).collect::<String>()
                )
            })?;
            if !set.insert(id) {
                return Err(format!("configScope names {id} twice"));
            }
        }
        Ok(Self::Only(set))
    }

    /// The scope as the API shows it: `None` for all.
    pub fn to_api(&self) -> Option<Vec<ConfigId>> {
        match self {
            Self::All => None,
            Self::Only(ids) => Some(ids.iter().copied().collect()),
        }
    }

    pub fn from_api(ids: Option<&[ConfigId]>) -> Self {
        match ids {
            None => Self::All,
            Some(ids) => Self::Only(ids.iter().copied().collect()),
        }
    }

    pub fn allows(&self, id: ConfigId) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.contains(&id),
        }
    }

    /// Whether this scope reaches nothing `outer` does not.
    pub fn is_within(&self, outer: &ConfigScope) -> bool {
        match (self, outer) {
            (_, Self::All) => true,
            (Self::All, Self::Only(_)) => false,
            (Self::Only(inner), Self::Only(outer)) => inner.is_subset(outer),
        }
    }

    /// In words, for a history event or an audit entry: "all configurations", "none",
    /// "1 configuration", "3 configurations".
    pub fn describe(&self) -> String {
        match self {
            Self::All => "all configurations".into(),
            Self::Only(ids) if ids.is_empty() => "no configuration".into(),
            Self::Only(ids) if ids.len() == 1 => "1 configuration".into(),
            Self::Only(ids) => format!("{} configurations", ids.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> ConfigId {
        ConfigId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn a_scope_is_read_checked_and_compared() {
        assert_eq!(ConfigScope::parse(None), Ok(ConfigScope::All));
        let two = vec![id(1).to_string(), id(2).to_string()];
        let scope = ConfigScope::parse(Some(&two)).unwrap();
        assert!(scope.allows(id(1)) && !scope.allows(id(3)));
        assert_eq!(scope.describe(), "2 configurations");
        assert_eq!(ConfigScope::from_api(scope.to_api().as_deref()), scope);
        let one = ConfigScope::parse(Some(&two[..1])).unwrap();
        assert!(one.is_within(&scope) && !scope.is_within(&one));
        assert!(scope.is_within(&ConfigScope::All) && !ConfigScope::All.is_within(&scope));
        assert!(ConfigScope::Only(BTreeSet::new()).is_within(&one));
        let bad = ConfigScope::parse(Some(&["edge".to_owned()])).unwrap_err();
        assert_eq!(
            bad,
            "configScope: \"edge\" is not a configuration id (a UUID)"
        );
        let twice = ConfigScope::parse(Some(&[two[0].clone(), two[0].clone()])).unwrap_err();
        assert!(twice.contains("twice"), "{twice}");
        let many: Vec<String> = (0..=MAX_CONFIG_SCOPE as u128)
            .map(|n| id(n).to_string())
            .collect();
        assert!(ConfigScope::parse(Some(&many))
            .unwrap_err()
            .contains("at most 200"));
    }
}
