//! Token status and source: the rules that turn stored facts into what a list shows.

use serde::{Deserialize, Serialize};
use strum::IntoStaticStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Revoked,
    Expired,
}

impl TokenStatus {
    /// Revocation is a deliberate act and outranks expiry; a token whose expiry instant has
    /// arrived is already expired (an expiry is the first moment it no longer works).
    pub fn derive(revoked_at_ms: Option<i64>, expires_at_ms: Option<i64>, now_ms: i64) -> Self {
        match (revoked_at_ms, expires_at_ms) {
            (Some(_), _) => Self::Revoked,
            (None, Some(expires)) if expires <= now_ms => Self::Expired,
            _ => Self::Active,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
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
        assert_eq!(TokenStatus::derive(None, None, now), TokenStatus::Active);
        assert_eq!(
            TokenStatus::derive(None, Some(now + 1), now),
            TokenStatus::Active
        );
        assert_eq!(
            TokenStatus::derive(None, Some(now), now),
            TokenStatus::Expired
        );
        assert_eq!(
            TokenStatus::derive(None, Some(now - 1), now),
            TokenStatus::Expired
        );
        assert_eq!(
            TokenStatus::derive(Some(5), None, now),
            TokenStatus::Revoked
        );
        assert_eq!(
            TokenStatus::derive(Some(5), Some(now - 1), now),
            TokenStatus::Revoked
        );
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
