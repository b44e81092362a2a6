//! Roles (Telegraf Controller's four), what each may do, and who may act on whom. The worker
//! enforces these rules and the browser app offers only what they allow; neither restates them.

use crate::permissions::{Action, Permissions, Resource};
use crate::status::TokenSource;
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

pub mod model;

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

/// Whether `actor` may set a new password for a user with role `target` (SPEC 10): only the
/// Owner resets an Administrator's; Administrators reset Managers' and Viewers'. Resetting
/// someone's password is signing in as them, so nobody does it to a peer.
pub fn may_reset_password(actor: Role, target: Role) -> bool {
    may_manage(actor, target) && actor.outranks(target)
}

/// The roles of the accounts whose password `actor` may reset. The worker binds this list into
/// its SQL, so the check holds at the moment of the write.
pub fn resettable_roles(actor: Role) -> Vec<Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(|&target| may_reset_password(actor, target))
        .collect()
}

/// The ceiling a token keeps once `receiver` holds a working secret of it (creation,
/// rotation): never above the receiver's role. A later reassign then cannot raise what the
/// secret in their hands does (SPEC 10).
pub fn ceiling_once_held_by(ceiling: Role, receiver: Role) -> Role {
    ceiling.at_most(receiver)
}

/// Only the Owner hands the Owner role over (and only in person: the worker refuses tokens).
pub fn may_transfer_ownership(actor: Role) -> bool {
    actor == Role::Owner
}

/// Only the Owner sets the organisation's token lifetime policy (in person).
pub fn may_set_token_policy(actor: Role) -> bool {
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

/// Whether a caller may widen what a token reaches (its configuration scope): only for a
/// token that can do no more than the caller can, as with a rotation. Narrowing needs no
/// more than seeing the token, as revoking it does.
pub fn may_widen_scope(
    caller_role: Role,
    caller_permissions: Permissions,
    token_role: Option<Role>,
    token_permissions: Permissions,
) -> bool {
    token_role.is_some_and(|role| !role.outranks(caller_role))
        && token_permissions.is_subset_of(caller_permissions)
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
mod tests;
