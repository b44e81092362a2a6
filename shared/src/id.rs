//! Ids of tokens, users and configurations: UUID v4, written in the hyphenated lowercase
//! form everywhere, and never one kind mistaken for another.

use std::fmt;
use uuid::Uuid;

/// A UUID-backed id type: parsed only from the canonical hyphenated form, printed lowercase.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(Uuid);

        impl $name {
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn parse(candidate: &str) -> Option<Self> {
                parse_hyphenated(candidate).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
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
