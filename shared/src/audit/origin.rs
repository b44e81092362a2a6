//! How an attempt ended and where it came from, as an entry records them.

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    /// The change was made.
    Success,
    /// The route's access check refused it (403).
    Denied,
    /// It was allowed but did not happen.
    Failure,
}

impl Outcome {
    pub const ALL: &'static [Outcome] = Self::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Success => "Success",
            Self::Denied => "Denied",
            Self::Failure => "Failure",
        }
    }
}

/// The longest user agent an entry keeps.
pub const MAX_USER_AGENT: usize = 256;

/// A request's `User-Agent` as an entry keeps it: control characters out, at most
/// [`MAX_USER_AGENT`] characters; `None` when nothing is left.
pub fn clean_user_agent(raw: Option<&str>) -> Option<String> {
    let kept: String = raw?
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_USER_AGENT)
        .collect();
    Some(kept.trim().to_owned()).filter(|k| !k.is_empty())
}

/// A client address as an entry keeps it: an IPv4 or IPv6 address, written canonically, or
/// nothing.
pub fn clean_address(raw: Option<&str>) -> Option<String> {
    raw?.trim()
        .parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_string())
}
