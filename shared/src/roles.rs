//! Roles (Telegraf Controller's four) and what each may do.

use crate::permissions::{Action, Permissions, Resource};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Administrator,
    Manager,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Self::Owner,
        Self::Administrator,
        Self::Manager,
        Self::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Administrator => "administrator",
            Self::Manager => "manager",
            Self::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Administrator => "Administrator",
            Self::Manager => "Manager",
            Self::Viewer => "Viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The most any credential of a user with this role can do.
    pub fn permissions(self) -> Permissions {
        match self {
            Self::Owner | Self::Administrator => Permissions::ALL,
            Self::Manager => [
                Resource::Configs,
                Resource::Agents,
                Resource::Heartbeat,
                Resource::Tokens,
            ]
            .into_iter()
            .fold(Permissions::NONE, Permissions::with_all),
            Self::Viewer => Permissions::NONE
                .with(Resource::Configs, Action::Read)
                .with(Resource::Agents, Action::Read),
        }
    }

    /// Owner and Administrator see and manage every token; a Manager only their own.
    pub fn sees_all_tokens(self) -> bool {
        matches!(self, Self::Owner | Self::Administrator)
    }
}

/// A token never exceeds its user: its own grants intersected with its owner's role.
pub fn effective_permissions(token: Permissions, owner_role: Role) -> Permissions {
    token.intersect(owner_role.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs() -> impl Iterator<Item = (Resource, Action)> {
        Resource::ALL
            .into_iter()
            .flat_map(|r| Action::ALL.into_iter().map(move |a| (r, a)))
    }

    /// The whole matrix, spelled out: (role, resource) -> actions granted.
    #[test]
    fn role_matrix_is_exactly_as_specified() {
        let expect = |role: Role, resource: Resource, action: Action| -> bool {
            match role {
                Role::Owner | Role::Administrator => true,
                Role::Manager => resource != Resource::Users,
                Role::Viewer => {
                    action == Action::Read
                        && matches!(resource, Resource::Configs | Resource::Agents)
                }
            }
        };
        for role in Role::ALL {
            for (resource, action) in pairs() {
                assert_eq!(
                    role.permissions().allows(resource, action),
                    expect(role, resource, action),
                    "{role:?} {resource:?}:{action:?}"
                );
            }
        }
    }

    #[test]
    fn effective_permissions_never_exceed_token_or_role() {
        // Every single-pair token against every role, plus the full set.
        for role in Role::ALL {
            for (resource, action) in pairs() {
                let token = Permissions::NONE.with(resource, action);
                let effective = effective_permissions(token, role);
                assert!(effective.is_subset_of(token));
                assert!(effective.is_subset_of(role.permissions()));
                assert_eq!(
                    effective.allows(resource, action),
                    role.permissions().allows(resource, action)
                );
            }
            assert_eq!(
                effective_permissions(Permissions::ALL, role),
                role.permissions()
            );
        }
    }

    #[test]
    fn agent_preset_survives_every_role_but_viewer() {
        let agent = Permissions::telegraf_agent();
        for role in [Role::Owner, Role::Administrator, Role::Manager] {
            assert_eq!(effective_permissions(agent, role), agent, "{role:?}");
        }
        assert_eq!(
            effective_permissions(agent, Role::Viewer).to_string(),
            "configs:read"
        );
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert_eq!(Role::parse("admin"), None);
        assert!(Role::Owner.sees_all_tokens() && Role::Administrator.sees_all_tokens());
        assert!(!Role::Manager.sees_all_tokens() && !Role::Viewer.sees_all_tokens());
    }
}
