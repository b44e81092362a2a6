//! Roles (Telegraf Controller's four), what each may do, and who may act on whom. The worker
//! enforces these rules and the browser app offers only what they allow; neither restates them.

use crate::permissions::{Action, Permissions, Resource};
use crate::status::TokenSource;
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Role {
    Owner,
    Administrator,
    Manager,
    Viewer,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: &'static [Role] = Self::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
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
        text.parse().ok()
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

    /// The roles whose permissions include `resource:action`. Permissions only grow with rank
    /// (tested), so a token whose owner and ceiling are both in this list acts with a role in
    /// it: the rule a SQL guard can apply to the stored roles alone.
    pub fn allowing(resource: Resource, action: Action) -> impl Iterator<Item = Role> {
        Self::ALL
            .iter()
            .copied()
            .filter(move |r| r.permissions().allows(resource, action))
    }

    /// Owner and Administrator see and manage every token; a Manager only their own.
    pub fn sees_all_tokens(self) -> bool {
        matches!(self, Self::Owner | Self::Administrator)
    }

    /// Owner 3, Administrator 2, Manager 1, Viewer 0.
    pub fn rank(self) -> u8 {
        match self {
            Self::Owner => 3,
            Self::Administrator => 2,
            Self::Manager => 1,
            Self::Viewer => 0,
        }
    }

    pub fn outranks(self, other: Role) -> bool {
        self.rank() > other.rank()
    }

    /// The lower of the two roles.
    pub fn at_most(self, ceiling: Role) -> Role {
        if self.outranks(ceiling) {
            ceiling
        } else {
            self
        }
    }

    /// Viewers hold no tokens (demotion to Viewer revokes them).
    pub fn can_hold_tokens(self) -> bool {
        self != Self::Viewer
    }
}

/// A token never exceeds its user: its own grants intersected with its owner's role.
pub fn effective_permissions(token: Permissions, owner_role: Role) -> Permissions {
    token.intersect(owner_role.permissions())
}

/// The role a token acts with: its owner's, but never more than its ceiling (the role of the
/// person who created it), whoever owns it later.
pub fn token_role(owner: Role, ceiling: Role) -> Role {
    owner.at_most(ceiling)
}

/// The role a token acts with, from what is stored about it: its owner's role capped by its
/// ceiling; the bootstrap token (which has no owner) acts as the Owner; any other ownerless
/// token acts as nobody.
pub fn acting_role(owner: Option<Role>, ceiling: Role, source: TokenSource) -> Option<Role> {
    match (owner, source) {
        (Some(owner), _) => Some(token_role(owner, ceiling)),
        (None, TokenSource::Bootstrap) => Some(Role::Owner),
        (None, _) => None,
    }
}

/// What a token may really do: its own permissions within the role it acts with. The list
/// and the detail view show this, and the worker enforces exactly this.
pub fn token_permissions(
    granted: Permissions,
    owner: Option<Role>,
    ceiling: Role,
    source: TokenSource,
) -> Permissions {
    acting_role(owner, ceiling, source).map_or(Permissions::NONE, |role| {
        effective_permissions(granted, role)
    })
}

/// Whether `actor` may change or delete the account of a user with role `target`: managing
/// users needs `users:write`, and nobody acts on someone who outranks them.
pub fn may_manage(actor: Role, target: Role) -> bool {
    actor.permissions().allows(Resource::Users, Action::Write) && !target.outranks(actor)
}

/// The roles of the accounts `actor` may change or delete. The worker binds this list into its
/// SQL, so the check holds at the moment of the write.
pub fn manageable_roles(actor: Role) -> Vec<Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(|&target| may_manage(actor, target))
        .collect()
}

/// Whether `actor` may give a user the role `role`, by creating or editing them. The Owner role
/// is never given this way: the Owner hands it over with [`may_transfer_ownership`].
pub fn may_grant(actor: Role, role: Role) -> bool {
    role != Role::Owner && may_manage(actor, role)
}

/// The roles `actor` may give, in [`Role::ALL`] order.
pub fn grantable_roles(actor: Role) -> Vec<Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(|&role| may_grant(actor, role))
        .collect()
}

/// Only the Owner hands the Owner role over (and only in person: the worker refuses tokens).
pub fn may_transfer_ownership(actor: Role) -> bool {
    actor == Role::Owner
}

/// Why a token may not move to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReassignRefusal {
    /// Only Owner and Administrator move tokens between users.
    NotAllowed,
    /// The new owner is a Viewer.
    CannotHoldTokens,
    /// The new owner's role outranks the caller's.
    Outranks,
}

impl std::fmt::Display for ReassignRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotAllowed => "only an Owner or Administrator can reassign tokens",
            Self::CannotHoldTokens => {
                "a Viewer cannot hold tokens; choose a Manager, Administrator or Owner"
            }
            Self::Outranks => "you cannot hand a token to someone whose role outranks yours",
        })
    }
}

/// Only Owner and Administrator move tokens between users.
pub fn may_reassign(actor: Role) -> bool {
    actor.sees_all_tokens()
}

/// Whether `actor` may move a token to a user with role `to`: nobody hands a token to a user
/// whose role outranks their own.
pub fn may_reassign_to(actor: Role, to: Role) -> Result<(), ReassignRefusal> {
    if !may_reassign(actor) {
        Err(ReassignRefusal::NotAllowed)
    } else if !to.can_hold_tokens() {
        Err(ReassignRefusal::CannotHoldTokens)
    } else if to.outranks(actor) {
        Err(ReassignRefusal::Outranks)
    } else {
        Ok(())
    }
}

/// Why a caller may not rotate a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotateRefusal {
    /// The bootstrap token's string is `OWNER_TOKEN`'s value: it changes with the variable.
    Bootstrap,
    /// An ownerless token acts as nobody; there is nothing to rotate to.
    Ownerless,
    /// The token acts with a role above the caller's, or may do something the caller may not.
    Exceeds,
    /// The caller is a token that expires before this token does.
    Outlives,
}

impl std::fmt::Display for RotateRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Bootstrap => "the bootstrap token's value is OWNER_TOKEN: set a new value there to rotate it",
            Self::Ownerless => "this token belongs to nobody; reassign it first",
            Self::Exceeds => "a new secret for this token would let you do more than you may: only someone holding at least its role and permissions can rotate it",
            Self::Outlives => "this API token expires before the token it would rotate; rotate it in the app or with a longer-lived token",
        })
    }
}

/// Whether a caller may take a new secret for a token. A rotation hands the caller a working
/// credential with the token's powers, so nobody rotates a token that can do more than they
/// can (an Administrator rotating the Owner's token would hold the Owner's secret), and a
/// token rotates nothing that outlives it (as it creates nothing that does).
pub fn may_rotate(
    caller_role: Role,
    caller_permissions: Permissions,
    caller_expires: Option<i64>,
    token_role: Option<Role>,
    token_permissions: Permissions,
    token_source: TokenSource,
    token_expires: Option<i64>,
) -> Result<(), RotateRefusal> {
    if token_source == TokenSource::Bootstrap {
        return Err(RotateRefusal::Bootstrap);
    }
    let role = token_role.ok_or(RotateRefusal::Ownerless)?;
    if role.outranks(caller_role) || !token_permissions.is_subset_of(caller_permissions) {
        return Err(RotateRefusal::Exceeds);
    }
    match (caller_expires, token_expires) {
        (Some(caller), Some(token)) if token > caller => Err(RotateRefusal::Outlives),
        (Some(_), None) => Err(RotateRefusal::Outlives),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_only_grow_with_rank_so_the_lower_of_two_roles_decides() {
        for &low in Role::ALL {
            for &high in Role::ALL.iter().filter(|h| h.rank() >= low.rank()) {
                assert!(
                    low.permissions().is_subset_of(high.permissions()),
                    "{low:?} {high:?}"
                );
            }
        }
        for (resource, action) in pairs() {
            for &owner in Role::ALL {
                for &ceiling in Role::ALL {
                    let acting = token_role(owner, ceiling);
                    let both = [owner, ceiling]
                        .iter()
                        .all(|r| Role::allowing(resource, action).any(|a| a == *r));
                    assert_eq!(both, acting.permissions().allows(resource, action));
                }
            }
        }
    }

    fn pairs() -> impl Iterator<Item = (Resource, Action)> {
        Resource::ALL
            .iter()
            .copied()
            .flat_map(|r| Action::ALL.iter().copied().map(move |a| (r, a)))
    }

    /// The whole matrix, spelled out: (role, resource) -> actions granted.
    #[test]
    fn a_token_acts_within_its_owner_and_its_ceiling() {
        use Role::*;
        use TokenSource::*;
        let full = Permissions::ALL;
        let as_manager = token_permissions(full, Some(Manager), Administrator, User);
        assert_eq!(as_manager, Manager.permissions());
        assert_eq!(
            token_permissions(full, Some(Owner), Manager, User),
            Manager.permissions()
        );
        assert_eq!(token_permissions(full, None, Owner, Bootstrap), full);
        assert_eq!(
            token_permissions(full, None, Owner, User),
            Permissions::NONE
        );
        assert_eq!(acting_role(Some(Viewer), Owner, Preshared), Some(Viewer));
    }

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
        for &role in Role::ALL {
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
        for &role in Role::ALL {
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
    fn rank_orders_the_roles() {
        use Role::*;
        assert!(Owner.outranks(Administrator) && Administrator.outranks(Manager));
        assert!(Manager.outranks(Viewer) && !Viewer.outranks(Viewer));
        assert_eq!(Owner.at_most(Administrator), Administrator);
        assert_eq!(Manager.at_most(Owner), Manager);
        assert_eq!(token_role(Owner, Administrator), Administrator);
        assert_eq!(token_role(Manager, Owner), Manager);
    }

    #[test]
    fn nobody_manages_someone_who_outranks_them() {
        use Role::*;
        assert_eq!(manageable_roles(Owner), Role::ALL.to_vec());
        assert_eq!(
            manageable_roles(Administrator),
            vec![Administrator, Manager, Viewer]
        );
        assert!(manageable_roles(Manager).is_empty());
        assert!(manageable_roles(Viewer).is_empty());
        for &actor in Role::ALL {
            for &target in Role::ALL {
                if target.outranks(actor) {
                    assert!(!may_manage(actor, target), "{actor:?} over {target:?}");
                }
            }
        }
    }

    #[test]
    fn the_owner_role_is_never_granted_only_transferred() {
        use Role::*;
        for &actor in Role::ALL {
            assert!(!may_grant(actor, Owner), "{actor:?}");
        }
        assert_eq!(grantable_roles(Owner), vec![Administrator, Manager, Viewer]);
        assert_eq!(
            grantable_roles(Administrator),
            vec![Administrator, Manager, Viewer]
        );
        assert!(grantable_roles(Manager).is_empty());
        assert!(may_transfer_ownership(Owner));
        assert!(!may_transfer_ownership(Administrator));
    }

    #[test]
    fn tokens_go_only_to_users_who_do_not_outrank_the_caller() {
        use Role::*;
        assert_eq!(may_reassign_to(Owner, Owner), Ok(()));
        assert_eq!(may_reassign_to(Owner, Manager), Ok(()));
        assert_eq!(may_reassign_to(Administrator, Administrator), Ok(()));
        assert_eq!(
            may_reassign_to(Administrator, Owner),
            Err(ReassignRefusal::Outranks)
        );
        assert_eq!(
            may_reassign_to(Owner, Viewer),
            Err(ReassignRefusal::CannotHoldTokens)
        );
        assert_eq!(
            may_reassign_to(Manager, Manager),
            Err(ReassignRefusal::NotAllowed)
        );
    }

    #[test]
    fn roles_round_trip() {
        for &role in Role::ALL {
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

    #[test]
    fn nobody_rotates_a_token_that_can_do_more_than_they_can() {
        let agent = Permissions::telegraf_agent();
        let ok = |caller: Role, token: Role| {
            may_rotate(
                caller,
                caller.permissions(),
                None,
                Some(token),
                agent,
                TokenSource::User,
                None,
            )
        };
        assert_eq!(
            ok(Role::Administrator, Role::Owner),
            Err(RotateRefusal::Exceeds)
        );
        assert_eq!(
            ok(Role::Manager, Role::Administrator),
            Err(RotateRefusal::Exceeds)
        );
        assert_eq!(ok(Role::Administrator, Role::Administrator), Ok(()));
        assert_eq!(ok(Role::Owner, Role::Manager), Ok(()));
        // A narrow token of the same role cannot rotate a wider one.
        assert_eq!(
            may_rotate(
                Role::Owner,
                agent,
                None,
                Some(Role::Owner),
                Permissions::ALL,
                TokenSource::User,
                None
            ),
            Err(RotateRefusal::Exceeds)
        );
        assert_eq!(
            may_rotate(
                Role::Owner,
                Permissions::ALL,
                None,
                None,
                agent,
                TokenSource::Bootstrap,
                None
            ),
            Err(RotateRefusal::Bootstrap)
        );
        assert_eq!(
            may_rotate(
                Role::Owner,
                Permissions::ALL,
                None,
                None,
                agent,
                TokenSource::User,
                None
            ),
            Err(RotateRefusal::Ownerless)
        );
        let all = Permissions::ALL;
        let by_token = |caller: Option<i64>, token: Option<i64>| {
            may_rotate(
                Role::Owner,
                all,
                caller,
                Some(Role::Owner),
                agent,
                TokenSource::User,
                token,
            )
        };
        assert_eq!(by_token(Some(10), None), Err(RotateRefusal::Outlives));
        assert_eq!(by_token(Some(10), Some(11)), Err(RotateRefusal::Outlives));
        assert_eq!(by_token(Some(10), Some(10)), Ok(()));
        assert_eq!(by_token(None, None), Ok(()));
    }
}
