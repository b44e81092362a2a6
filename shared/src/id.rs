//! Ids of tokens, users and configurations: UUID v4, written in the hyphenated lowercase
//! form everywhere, and never one kind mistaken for another.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use uuid::Uuid;

/// A string that is not an id in the canonical hyphenated UUID form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnId;

impl fmt::Display for NotAnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a UUID in the form 9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab")
    }
}

/// A UUID-backed id type: parsed only from the canonical hyphenated form, printed lowercase.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn parse(candidate: &str) -> Option<Self> {
                parse_hyphenated(candidate).map(Self)
            }

            /// The nil UUID, which no row has: a scope of it sees nothing.
            pub const fn nil() -> Self {
                Self(Uuid::nil())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = NotAnId;

            fn from_str(candidate: &str) -> Result<Self, NotAnId> {
                Self::parse(candidate).ok_or(NotAnId)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Self::parse(&text).ok_or_else(|| D::Error::custom(NotAnId))
            }
        }

        string_schema!($name, "uuid");
    };
}

uuid_id!(
    /// An API token's id.
    TokenId
);
uuid_id!(
    /// A user's id.
    UserId
);
uuid_id!(
    /// A Telegraf configuration's id.
    ConfigId
);

/// Accepts only the canonical hyphenated form (any case), so one record has one spelling
/// in URLs; braces, `urn:uuid:` and the simple form are refused.
fn parse_hyphenated(candidate: &str) -> Option<Uuid> {
    if candidate.len() != 36 {
        return None;
    }
    Uuid::try_parse(candidate).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hyphenated_and_prints_lowercase() {
        let id = TokenId::parse("9F1C2D3E-4B5A-4C6D-8E7F-0123456789AB").unwrap();
        assert_eq!(id.to_string(), "9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab");
    }

    #[test]
    fn travels_as_a_string_and_refuses_a_bad_one() {
        let id = UserId::parse("9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab").unwrap();
        let wire = serde_json::to_value(id).unwrap();
        assert_eq!(wire, "9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab");
        assert_eq!(serde_json::from_value::<UserId>(wire).unwrap(), id);
        assert!(serde_json::from_value::<UserId>("42".into()).is_err());
        assert!(serde_json::from_value::<UserId>(42.into()).is_err());
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "1",
            "not-a-uuid",
            "9f1c2d3e4b5a4c6d8e7f0123456789ab",
            "{9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab}",
            "urn:uuid:9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab",
            "9f1c2d3e-4b5a-4c6d-8e7f-0123456789ag",
            "9f1c2d3e-4b5a-4c6d-8e7f-0123456789a'",
            "9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab ",
        ] {
            assert!(TokenId::parse(bad).is_none(), "{bad:?}");
        }
    }
}
