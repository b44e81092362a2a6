//! Who acted, as it is stored: a reference (what kind of actor, which user, which token), never
//! a name. Names are read when answering, so a token or user deleted since reads as "a deleted
//! token" or "a deleted user" everywhere without any record being scrubbed, and no user can
//! be named like a system actor: the kind is a field of its own.

use crate::id::{TokenId, UserId};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ActorKind {
    /// A person, signed in.
    User,
    /// An API token (its owner acting through it).
    Token,
    /// The instance's `OWNER_TOKEN`.
    BootstrapToken,
    /// A secret scanner's signed leak report.
    SecretScanning,
    /// The instance itself: a scheduled run, a changed `OWNER_TOKEN`.
    System,
}

impl ActorKind {
    pub const ALL: &'static [ActorKind] = Self::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Who acted, by reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActorRef {
    pub kind: ActorKind,
    /// The person: the user signed in, or a token's owner when it acted.
    pub user: Option<UserId>,
    /// The token that acted (an API token, or the bootstrap token).
    pub token: Option<TokenId>,
}

impl ActorRef {
    pub fn user(id: UserId) -> Self {
        Self {
            kind: ActorKind::User,
            user: Some(id),
            token: None,
        }
    }

    pub fn token(owner: Option<UserId>, token: TokenId) -> Self {
        Self {
            kind: ActorKind::Token,
            user: owner,
            token: Some(token),
        }
    }

    pub fn bootstrap(token: TokenId) -> Self {
        Self {
            kind: ActorKind::BootstrapToken,
            user: None,
            token: Some(token),
        }
    }

    pub fn of_kind(kind: ActorKind) -> Self {
        Self {
            kind,
            user: None,
            token: None,
        }
    }

    /// The ids as the text D1 stores them.
    pub fn user_text(&self) -> Option<String> {
        self.user.map(|u| u.to_string())
    }

    pub fn token_text(&self) -> Option<String> {
        self.token.map(|t| t.to_string())
    }
}

/// How an answer names who acted, from the reference's kind and the names its ids have now
/// (`None`: the user or token has been deleted since, or there was none).
pub fn describe(kind: ActorKind, user_name: Option<&str>, token_name: Option<&str>) -> String {
    match kind {
        ActorKind::User => user_name.unwrap_or("a deleted user").to_owned(),
        ActorKind::Token => match (user_name, token_name) {
            (Some(user), Some(token)) => format!("{user} (token \"{token}\")"),
            (Some(user), None) => format!("{user} (a deleted token)"),
            (None, Some(token)) => format!("token \"{token}\""),
            (None, None) => "a deleted token".to_owned(),
        },
        ActorKind::BootstrapToken => "the bootstrap token (OWNER_TOKEN)".to_owned(),
        ActorKind::SecretScanning => "secret scanning".to_owned(),
        ActorKind::System => "the system".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_token_or_user_is_named_as_such() {
        assert_eq!(
            describe(ActorKind::Token, Some("ada"), Some("ci")),
            "ada (token \"ci\")"
        );
        assert_eq!(
            describe(ActorKind::Token, Some("ada"), None),
            "ada (a deleted token)"
        );
        assert_eq!(describe(ActorKind::Token, None, None), "a deleted token");
        assert_eq!(describe(ActorKind::User, None, None), "a deleted user");
        assert_eq!(describe(ActorKind::User, Some("ada"), None), "ada");
    }

    #[test]
    fn no_user_can_be_named_like_a_system_actor() {
        // A user called OWNER_TOKEN or "secret scanning" is a user; the kind says who is not.
        assert_eq!(
            describe(ActorKind::User, Some("OWNER_TOKEN"), None),
            "OWNER_TOKEN"
        );
        assert_ne!(
            describe(ActorKind::BootstrapToken, None, None),
            describe(ActorKind::User, Some("OWNER_TOKEN"), None)
        );
        for kind in ActorKind::ALL {
            assert_eq!(kind.as_str().parse::<ActorKind>(), Ok(*kind));
        }
    }
}
