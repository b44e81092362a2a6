//! Who is calling, once authenticated: a user by their session or a token, with the role and
//! permissions the request is checked against.

use crate::db;
use crate::error::ApiError;
use shared::actor::{ActorKind, ActorRef};
use shared::permissions::{Action, Permissions, Resource};
use shared::roles::Role;
use shared::routes::Access;
use shared::token_scope::ConfigScope;
use shared::{TokenId, UserId};

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The SHA-256 of the session cookie, and its new expiry if this request slid it.
    Session {
        id_hash: String,
        renewed_until: Option<i64>,
    },
    Token(TokenCredential),
}

/// The API token a request presented, as the lookup found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCredential {
    pub id: TokenId,
    pub name: String,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// The secret presented is the one before the last rotation, still in its overlap.
    pub via_previous: bool,
    pub previous_last_used_at: Option<i64>,
    /// When a refusal of it was last recorded (kept at most once a minute).
    pub last_refused_at: Option<i64>,
    /// The configurations it may read.
    pub config_scope: ConfigScope,
}

impl TokenCredential {
    /// Whether this request's use is due to be recorded: last use is kept to the minute, for
    /// the token and, during an overlap, for its previous secret.
    pub fn use_due(&self, now: i64) -> bool {
        let due =
            |at: Option<i64>| at.is_none_or(|at| at <= now - db::token_auth::LAST_USED_EVERY_MS);
        due(self.last_used_at) || (self.via_previous && due(self.previous_last_used_at))
    }
}

#[derive(Debug, Clone)]
pub struct Principal {
    /// `None` only for the bootstrap token, which belongs to the instance.
    pub user_id: Option<UserId>,
    /// The username of the person acting (a token's owner); `None` for the bootstrap token.
    pub username: Option<String>,
    /// The role this credential acts with: the user's, or for a token its owner's capped by
    /// the role of the person who created it.
    pub role: Role,
    /// What this credential may do: the role's permissions, or a token's own intersected
    /// with its role.
    pub permissions: Permissions,
    pub credential: Credential,
}

impl Principal {
    /// The one place where a route's declared access is enforced; dispatch calls it once,
    /// before the handler.
    pub fn check(&self, access: Access) -> Result<(), ApiError> {
        if let Access::Person(..) | Access::OwnAccount = access {
            if !self.is_session() {
                return Err(ApiError::forbidden(
                    "this is a person's act: sign in and do it in the app; an API token cannot",
                ));
            }
        }
        match access.permission() {
            Some((resource, action)) => self.require(resource, action),
            None => Ok(()),
        }
    }

    /// 403 unless the credential holds `resource:action`.
    fn require(&self, resource: Resource, action: Action) -> Result<(), ApiError> {
        if self.permissions.allows(resource, action) {
            Ok(())
        } else {
            let how = match self.credential {
                Credential::Session { .. } => format!("your role ({})", self.role.label()),
                Credential::Token(_) => "this API token".to_owned(),
            };
            Err(ApiError::forbidden(format!(
                "{how} does not allow {}:{}",
                resource.as_str(),
                action.as_str()
            )))
        }
    }

    /// The owner every token query is scoped to: `None` (all tokens) for Owner and
    /// Administrator, the caller's own id for everyone else.
    pub fn token_scope(&self) -> Option<UserId> {
        if self.role.sees_all_tokens() {
            None
        } else {
            // A principal without a user is the bootstrap token, whose role is Owner; were it
            // ever less, it would be scoped to the nil id, which owns nothing.
            Some(self.user_id.unwrap_or(UserId::nil()))
        }
    }

    pub fn is_session(&self) -> bool {
        matches!(self.credential, Credential::Session { .. })
    }

    /// Who this is in the records a change leaves: by reference (a user, a token, the
    /// bootstrap token), and in the audit log by the username (or `OWNER_TOKEN`) and the token
    /// used.
    pub fn audit_actor(&self) -> crate::db::audit::Actor {
        let by = match (self.token(), self.user_id) {
            (None, Some(user)) => ActorRef::user(user),
            (Some(t), Some(user)) => ActorRef::token(Some(user), t.id),
            (Some(t), None) => ActorRef::bootstrap(t.id),
            // A session always has its user.
            (None, None) => ActorRef::of_kind(ActorKind::System),
        };
        crate::db::audit::Actor {
            by,
            name: self
                .username
                .clone()
                .unwrap_or_else(|| "OWNER_TOKEN".to_owned()),
            token: self.token().map(|t| (t.id.to_string(), t.name.clone())),
            origin: None,
        }
    }

    /// The configurations the caller may reach: a token's scope; all for a person.
    pub fn config_scope(&self) -> ConfigScope {
        match self.token() {
            Some(token) => token.config_scope.clone(),
            None => ConfigScope::All,
        }
    }

    /// The presented token, when the caller used one.
    pub fn token(&self) -> Option<&TokenCredential> {
        match &self.credential {
            Credential::Token(token) => Some(token),
            Credential::Session { .. } => None,
        }
    }
}
