//! The reference model of access: for every route of [`ROUTES`](crate::routes::ROUTES) and
//! every kind of credential (no credential, a session of each role, a token that works, a
//! token that does not, the previous secret of a rotated token, the bootstrap token), what the
//! answer is: allowed, 401 with which message, 403 or 404. The worker applies the same rules
//! from the same functions; the credential-by-route test asks the real worker every pair and
//! compares its answer with [`verdict`], so a new route or a new kind of credential fails that
//! test until this model says what it may do.

use super::{
    may_grant, may_manage, may_reassign, may_reassign_to, may_reset_password, may_rotate,
    may_set_token_policy, may_transfer_ownership, Role,
};
use crate::permissions::Permissions;
use crate::routes::{Access, Endpoint};
use crate::status::TokenSource;

/// 401 on a route that takes a session or a token, when the request carries neither.
pub const NO_CREDENTIAL: &str = "sign in, or send an API token as Authorization: Bearer tc-apiv1_…";
/// 401 on an agent route without a usable `Authorization` header (SPEC 5, Telegraf
/// Controller's words); a session is no credential there.
pub const NO_AGENT_CREDENTIAL: &str = "Missing or invalid Authorization header";
/// 401 for a token string nobody holds: never issued, or deleted (SPEC 5).
pub const INVALID_TOKEN: &str = "Invalid token";
/// 401 for the secret a rotation replaced, presented anywhere but an agent route while its
/// overlap lasts: it keeps agents running, and does nothing else.
pub const SECRET_REPLACED: &str = "This secret was replaced when the token was rotated: until the overlap ends it only downloads configurations and sends heartbeats. Use the token's new secret.";
/// 401 on the secret scanning route, whose only credential is a signature over the body.
pub const NO_SIGNATURE: &str = "send the key id in Github-Public-Key-Identifier";

/// Where the secret before a rotation still works during its overlap: agent routes only
/// (configuration download, its HEAD, heartbeat). Anywhere else it could rotate its own
/// token, mint children or read the fleet's users: it is an agent credential and no more.
pub fn previous_secret_may(access: Access) -> bool {
    matches!(access, Access::Agent(..))
}

/// A credential that works: a session, or a token (current secret or, in its overlap, the
/// previous one), or the bootstrap token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    /// The role it acts with: a session's user's, a token's owner's capped by its ceiling.
    pub role: Role,
    /// A token's own grants (a session's are its role's).
    pub grants: Permissions,
    pub kind: HolderKind,
    /// When a token expires (what it rotates or creates may not outlive it).
    pub expires_at: Option<i64>,
    /// A token scoped to configurations, none of which the routes' targets are (each call
    /// acts on a configuration made for it).
    pub config_scoped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderKind {
    Session,
    Token,
    /// A token's secret from before its last rotation, inside the overlap.
    PreviousSecret,
    /// `OWNER_TOKEN`'s token: acts as the Owner and belongs to no user.
    Bootstrap,
}

impl Holder {
    pub fn session(role: Role) -> Self {
        Self {
            role,
            grants: role.permissions(),
            kind: HolderKind::Session,
            expires_at: None,
            config_scoped: false,
        }
    }

    pub fn token(role: Role, grants: Permissions, expires_at: Option<i64>) -> Self {
        Self {
            role,
            grants,
            kind: HolderKind::Token,
            expires_at,
            config_scoped: false,
        }
    }

    pub fn bootstrap() -> Self {
        Self {
            role: Role::Owner,
            grants: Permissions::ALL,
            kind: HolderKind::Bootstrap,
            expires_at: None,
            config_scoped: false,
        }
    }

    /// What it may really do: its grants within its role.
    pub fn permissions(&self) -> Permissions {
        self.grants.intersect(self.role.permissions())
    }

    pub fn is_session(&self) -> bool {
        self.kind == HolderKind::Session
    }
}

/// What a request presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    None,
    Works(Holder),
    /// A token string that authenticates nothing, with the 401 message it gets: revoked (the
    /// previous secret after its overlap too), expired, owner disabled, or unknown (deleted).
    Refused(&'static str),
}

/// The token a route acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenTarget {
    /// Whether it belongs to the caller (a Manager sees only their own).
    pub callers_own: bool,
    /// The role it acts with (`None`: ownerless, acts as nobody).
    pub role: Option<Role>,
    /// What it may really do.
    pub permissions: Permissions,
    pub source: TokenSource,
    pub expires_at: Option<i64>,
}

impl TokenTarget {
    /// A token of another user's, made by hand (not pre-shared, not the bootstrap token).
    pub fn someone_elses(role: Role, permissions: Permissions, expires_at: Option<i64>) -> Self {
        Self {
            callers_own: false,
            role: Some(role),
            permissions,
            source: TokenSource::User,
            expires_at,
        }
    }
}

/// What the routes that act on something act on, as far as access depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub token: TokenTarget,
    /// The role of the user a route changes, deletes, resets or hands ownership to.
    pub user_role: Role,
    /// The role a created user gets.
    pub new_user_role: Role,
    /// The permissions a created token asks for.
    pub new_token_permissions: Permissions,
    /// The role of the user a token is reassigned to.
    pub reassign_to: Role,
}

/// What the worker answers, as far as access decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Past every access rule: the route does what its request asks.
    Allowed,
    /// 401 with this message.
    Unauthenticated(&'static str),
    /// 403.
    Forbidden,
    /// 404: the subject is not the caller's to see (or, for the bootstrap token, there is no
    /// user to show).
    NotFound,
}

/// The answer `credential` gets on `endpoint`'s route, acting on `target`.
pub fn verdict(endpoint: Endpoint, credential: Credential, target: &Target) -> Verdict {
    let access = endpoint.access();
    let agent_route = matches!(access, Access::Agent(..));
    match access {
        Access::Public => return Verdict::Allowed,
        // Sessions and tokens mean nothing here: only a signature over the body does.
        Access::Signed => return Verdict::Unauthenticated(NO_SIGNATURE),
        _ => {}
    }
    let holder = match credential {
        Credential::None if agent_route => return Verdict::Unauthenticated(NO_AGENT_CREDENTIAL),
        Credential::None => return Verdict::Unauthenticated(NO_CREDENTIAL),
        Credential::Refused(message) => return Verdict::Unauthenticated(message),
        Credential::Works(h) if h.is_session() && agent_route => {
            return Verdict::Unauthenticated(NO_AGENT_CREDENTIAL)
        }
        Credential::Works(h)
            if h.kind == HolderKind::PreviousSecret && !previous_secret_may(access) =>
        {
            return Verdict::Unauthenticated(SECRET_REPLACED)
        }
        Credential::Works(h) => h,
    };
    if matches!(access, Access::Person(..) | Access::OwnAccount) && !holder.is_session() {
        return Verdict::Forbidden;
    }
    if let Some((resource, action)) = access.permission() {
        if !holder.permissions().allows(resource, action) {
            return Verdict::Forbidden;
        }
    }
    route_rules(endpoint, &holder, target)
}

/// The rules a route applies past its declared access, about what it acts on.
fn route_rules(endpoint: Endpoint, holder: &Holder, target: &Target) -> Verdict {
    use Endpoint as E;
    let allowed_if = |ok: bool| {
        if ok {
            Verdict::Allowed
        } else {
            Verdict::Forbidden
        }
    };
    let hidden = !holder.role.sees_all_tokens() && !target.token.callers_own;
    match endpoint {
        E::Me if holder.kind == HolderKind::Bootstrap => Verdict::NotFound,
        E::CreateUser => allowed_if(may_grant(holder.role, target.new_user_role)),
        E::UpdateUser | E::DeleteUser => allowed_if(may_manage(holder.role, target.user_role)),
        E::SetPassword => allowed_if(may_reset_password(holder.role, target.user_role)),
        E::TransferOwnership => allowed_if(may_transfer_ownership(holder.role)),
        E::SetTokenPolicy => allowed_if(may_set_token_policy(holder.role)),
        // A configuration outside a token's scope is not found, whether or not it exists; a
        // scoped token creates no configuration, and no token wider than itself (a request
        // without configScope asks for all).
        E::GetConfig | E::UpdateConfig | E::DeleteConfig | E::ConfigToml
            if holder.config_scoped =>
        {
            Verdict::NotFound
        }
        E::CreateConfig | E::CreateToken if holder.config_scoped => Verdict::Forbidden,
        E::CreateToken => allowed_if(
            target
                .new_token_permissions
                .is_subset_of(holder.permissions()),
        ),
        E::ReassignToken | E::BulkReassignTokens if !may_reassign(holder.role) => {
            Verdict::Forbidden
        }
        E::ReassignToken | E::BulkReassignTokens => {
            allowed_if(may_reassign_to(holder.role, target.reassign_to).is_ok())
        }
        E::GetToken
        | E::UpdateToken
        | E::TokenHistory
        | E::RevokeToken
        | E::DeleteToken
        | E::RotateToken
        | E::BulkDeleteTokens
        | E::BulkRevokeTokens
            if hidden =>
        {
            Verdict::NotFound
        }
        // The call narrows the token to a configuration made for it, which a scoped caller's
        // own scope does not hold.
        E::UpdateToken => allowed_if(!holder.config_scoped),
        E::RotateToken => allowed_if(
            may_rotate(
                holder.role,
                holder.permissions(),
                holder.expires_at,
                target.token.role,
                target.token.permissions,
                target.token.source,
                target.token.expires_at,
            )
            .is_ok(),
        ),
        _ => Verdict::Allowed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::ROUTES;

    fn target() -> Target {
        Target {
            token: TokenTarget::someone_elses(
                Role::Manager,
                Permissions::telegraf_agent(),
                Some(1_000),
            ),
            user_role: Role::Viewer,
            new_user_role: Role::Viewer,
            new_token_permissions: Permissions::telegraf_agent(),
            reassign_to: Role::Manager,
        }
    }

    #[test]
    fn a_previous_secret_works_on_agent_routes_and_nowhere_else() {
        let previous = Credential::Works(Holder {
            kind: HolderKind::PreviousSecret,
            ..Holder::token(Role::Owner, Permissions::ALL, None)
        });
        for route in ROUTES {
            let got = verdict(route.endpoint, previous, &target());
            match route.access {
                Access::Agent(..) | Access::Public => assert_eq!(got, Verdict::Allowed),
                Access::Signed => assert_eq!(got, Verdict::Unauthenticated(NO_SIGNATURE)),
                _ => assert_eq!(got, Verdict::Unauthenticated(SECRET_REPLACED), "{route:?}"),
            }
        }
    }

    #[test]
    fn sessions_are_no_credential_for_agents_and_tokens_never_act_in_person() {
        let owner = Credential::Works(Holder::session(Role::Owner));
        let owners_token = Credential::Works(Holder::token(Role::Owner, Permissions::ALL, None));
        let t = target();
        assert_eq!(
            verdict(Endpoint::ConfigToml, owner, &t),
            Verdict::Unauthenticated(NO_AGENT_CREDENTIAL)
        );
        assert_eq!(
            verdict(Endpoint::ConfigToml, owners_token, &t),
            Verdict::Allowed
        );
        assert_eq!(verdict(Endpoint::SetPassword, owner, &t), Verdict::Allowed);
        assert_eq!(
            verdict(Endpoint::SetPassword, owners_token, &t),
            Verdict::Forbidden
        );
        assert_eq!(
            verdict(Endpoint::ListTokens, Credential::None, &t),
            Verdict::Unauthenticated(NO_CREDENTIAL)
        );
        assert_eq!(
            verdict(Endpoint::Me, Credential::Works(Holder::bootstrap()), &t),
            Verdict::NotFound
        );
    }

    #[test]
    fn a_manager_does_not_see_other_users_tokens_and_moves_none() {
        let manager = Credential::Works(Holder::session(Role::Manager));
        let t = target();
        assert_eq!(verdict(Endpoint::GetToken, manager, &t), Verdict::NotFound);
        assert_eq!(
            verdict(Endpoint::BulkRevokeTokens, manager, &t),
            Verdict::NotFound
        );
        assert_eq!(
            verdict(Endpoint::ReassignToken, manager, &t),
            Verdict::Forbidden
        );
        let own = Target {
            token: TokenTarget {
                callers_own: true,
                ..t.token
            },
            ..t
        };
        assert_eq!(
            verdict(Endpoint::RotateToken, manager, &own),
            Verdict::Allowed
        );
    }

    #[test]
    fn only_the_owner_resets_an_administrators_password() {
        let admin = Credential::Works(Holder::session(Role::Administrator));
        let owner = Credential::Works(Holder::session(Role::Owner));
        let of = |role| Target {
            user_role: role,
            ..target()
        };
        assert_eq!(
            verdict(Endpoint::SetPassword, admin, &of(Role::Administrator)),
            Verdict::Forbidden
        );
        assert_eq!(
            verdict(Endpoint::SetPassword, admin, &of(Role::Manager)),
            Verdict::Allowed
        );
        assert_eq!(
            verdict(Endpoint::SetPassword, owner, &of(Role::Administrator)),
            Verdict::Allowed
        );
    }
}
