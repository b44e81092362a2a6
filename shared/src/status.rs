//! Token status and source: the rules that turn stored facts into what a list shows.

use crate::token_state::{Facts, Rule};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

/// What a token is now, as the server applies it: the list, the detail view and the agent's
/// refusal all come from [`TokenStatus::derive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TokenStatus {
    Active,
    Revoked,
    Expired,
    /// The token itself is fine but its owner's account is disabled, so every request with
    /// it is refused until the account is enabled again.
    OwnerDisabled,
}

impl TokenStatus {
    /// Every status, in the order the filter offers them.
    pub const ALL: &'static [TokenStatus] = Self::VARIANTS;

    /// The status whose rule (`token_state::Rule::status`) holds for these stored facts:
    /// exactly one does. Revocation outranks expiry; a token whose expiry instant has arrived
    /// is already expired; only a token that would otherwise work is held back by its owner.
    pub fn derive(
        revoked_at_ms: Option<i64>,
        expires_at_ms: Option<i64>,
        owner_disabled: bool,
        now_ms: i64,
    ) -> Self {
        let facts = Facts {
            revoked_at: revoked_at_ms,
            expires_at: expires_at_ms,
            owner_disabled,
        };
        Self::ALL
            .iter()
            .copied()
            .find(|&s| Rule::status(s, now_ms).holds(&facts))
            .unwrap_or(Self::Active)
    }

    /// Whether revoking or rotating the token changes anything: it works, or would again
    /// once its owner is enabled (`token_state::Rule::revocable` in SQL). A revoked token
    /// stays revoked, and an expired one never works again.
    pub fn may_revoke(self) -> bool {
        matches!(self, Self::Active | Self::OwnerDisabled)
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// What the list's badge and filter call it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Revoked => "Revoked",
            Self::Expired => "Expired",
            Self::OwnerDisabled => "Owner disabled",
        }
    }

    /// The message an agent presenting the token gets (SPEC 5), or `None` when it works.
    pub fn refusal(self) -> Option<&'static str> {
        match self {
            Self::Active => None,
            Self::Revoked => Some("Token revoked"),
            Self::Expired => Some("Token expired"),
            Self::OwnerDisabled => Some("Token owner is disabled"),
        }
    }
}

/// Where a token came from: generated for a user, supplied by the caller, or the
/// `OWNER_TOKEN` bootstrap variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum TokenSource {
    User,
    Preshared,
    Bootstrap,
}

impl TokenSource {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_rules() {
        let now = 1_000;
        let derive = |revoked, expires, now| TokenStatus::derive(revoked, expires, false, now);
        assert_eq!(derive(None, None, now), TokenStatus::Active);
        assert_eq!(derive(None, Some(now + 1), now), TokenStatus::Active);
        assert_eq!(derive(None, Some(now), now), TokenStatus::Expired);
        assert_eq!(derive(None, Some(now - 1), now), TokenStatus::Expired);
        assert_eq!(derive(Some(5), None, now), TokenStatus::Revoked);
        assert_eq!(derive(Some(5), Some(now - 1), now), TokenStatus::Revoked);
    }

    #[test]
    fn a_disabled_owner_holds_back_only_a_token_that_would_work() {
        let now = 1_000;
        let status = |revoked, expires| TokenStatus::derive(revoked, expires, true, now);
        assert_eq!(status(None, None), TokenStatus::OwnerDisabled);
        assert_eq!(status(None, Some(now + 1)), TokenStatus::OwnerDisabled);
        assert_eq!(status(None, Some(now)), TokenStatus::Expired);
        assert_eq!(status(Some(5), None), TokenStatus::Revoked);
        assert_eq!(
            TokenStatus::OwnerDisabled.refusal(),
            Some("Token owner is disabled")
        );
        assert_eq!(TokenStatus::Active.refusal(), None);
        assert_eq!(
            serde_json::to_string(&TokenStatus::OwnerDisabled).unwrap(),
            "\"owner_disabled\""
        );
        for &s in TokenStatus::VARIANTS {
            assert_eq!(s.as_str().parse::<TokenStatus>(), Ok(s));
        }
    }

    #[test]
    fn serialises_lowercase() {
        assert_eq!(
            serde_json::to_string(&TokenStatus::Expired).unwrap(),
            "\"expired\""
        );
        assert_eq!(
            serde_json::to_string(&TokenSource::Preshared).unwrap(),
            "\"preshared\""
        );
    }

    #[test]
    fn source_round_trips_through_storage() {
        for s in [
            TokenSource::User,
            TokenSource::Preshared,
            TokenSource::Bootstrap,
        ] {
            // D1 rows decode it with serde from the string stored by as_str().
            let stored = serde_json::Value::from(s.as_str());
            assert_eq!(serde_json::from_value::<TokenSource>(stored).unwrap(), s);
        }
        assert!(serde_json::from_value::<TokenSource>("USER".into()).is_err());
    }
}
