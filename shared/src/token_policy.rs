//! The organisation's token lifetime policy: a maximum lifetime and whether every token must
//! expire. One rule decides both what may be made ([`TokenPolicy::allows`]: a new token's or a
//! rotated token's expiry) and which existing tokens stand beyond it ([`standing`], marked in
//! the list and filtered on, never changed silently); the "beyond" half is the same rule in
//! SQL ([`beyond_sql`]), and a test holds the two to each other in D1.

use crate::expiry::NEVER;
use crate::status::TokenSource;
use crate::time::rfc3339_from_millis;
use serde::{Deserialize, Serialize};
use std::fmt;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The longest maximum lifetime a policy may set: the century beyond which an expiry is
/// refused anyway (`expiry::MAX_EXPIRY_AHEAD_MS`).
pub const MAX_LIFETIME_DAYS: u32 = 36_525;

/// What the bootstrap token is to the policy, as the settings say it.
pub const BOOTSTRAP_EXEMPT: &str = "The bootstrap token (OWNER_TOKEN) is exempt: it works while the variable holds its value, and is replaced by setting a new one.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenPolicy {
    /// The longest a token may live from the moment it is made or rotated.
    pub max_lifetime_days: Option<u32>,
    /// Every token must have an expiry (implied by a maximum lifetime).
    pub require_expiry: bool,
}

/// Where an existing token stands against the policy, when it says anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// It would not be made today: it never expires, or expires later than the policy allows
    /// from now. It keeps working; only its owner or an administrator ends it.
    Beyond,
    /// The bootstrap token: the policy does not apply to it.
    Exempt,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Beyond => "beyond",
            Self::Exempt => "exempt",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Beyond, Self::Exempt]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    NotADuration,
    TooLong,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotADuration => f.write_str(
                "maxLifetime must be a number of days or weeks as an ISO 8601 duration, such as P90D or P12W, or null for no maximum",
            ),
            Self::TooLong => write!(
                f,
                "maxLifetime can be at most {MAX_LIFETIME_DAYS} days (P{MAX_LIFETIME_DAYS}D); use null for no maximum"
            ),
        }
    }
}

impl std::error::Error for PolicyError {}

impl TokenPolicy {
    /// A request's `maxLifetime` (`P90D`, `P12W`, null) and `requireExpiry`.
    pub fn parse(max_lifetime: Option<&str>, require_expiry: bool) -> Result<Self, PolicyError> {
        let days = match max_lifetime.map(str::trim) {
            None => None,
            Some(text) => {
                let body = text.strip_prefix('P').ok_or(PolicyError::NotADuration)?;
                let (number, unit) = body.split_at(body.len().saturating_sub(1));
                let per = match unit {
                    "D" => 1,
                    "W" => 7,
                    _ => return Err(PolicyError::NotADuration),
                };
                if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(PolicyError::NotADuration);
                }
                let n: u64 = number.parse().map_err(|_| PolicyError::TooLong)?;
                let days = n.checked_mul(per).ok_or(PolicyError::TooLong)?;
                if days == 0 {
                    return Err(PolicyError::NotADuration);
                }
                Some(
                    u32::try_from(days)
                        .ok()
                        .filter(|d| *d <= MAX_LIFETIME_DAYS)
                        .ok_or(PolicyError::TooLong)?,
                )
            }
        };
        Ok(Self {
            max_lifetime_days: days,
            require_expiry: require_expiry || days.is_some(),
        })
    }

    /// `P90D`, as the API writes it back.
    pub fn max_lifetime(&self) -> Option<String> {
        self.max_lifetime_days.map(|d| format!("P{d}D"))
    }

    /// Whether the policy limits anything.
    pub fn is_set(&self) -> bool {
        self.require_expiry || self.max_lifetime_days.is_some()
    }

    /// The latest expiry a token made at `now` may have ([`NEVER`] stands for none).
    pub fn latest_expiry(&self, now: i64) -> i64 {
        match (self.max_lifetime_days, self.require_expiry) {
            (Some(days), _) => now.saturating_add(i64::from(days) * DAY_MS),
            (None, true) => NEVER - 1,
            (None, false) => NEVER,
        }
    }

    /// Whether a token made or rotated at `now` may expire at `expires_at` (`None`: never).
    pub fn allows(&self, expires_at: Option<i64>, now: i64) -> bool {
        expires_at.unwrap_or(NEVER) <= self.latest_expiry(now)
    }

    /// In words: "tokens live at most 90 days", "every token has an expiry", "no limit".
    pub fn describe(&self) -> String {
        match (self.max_lifetime_days, self.require_expiry) {
            (Some(1), _) => "tokens live at most 1 day (P1D)".into(),
            (Some(days), _) => format!("tokens live at most {days} days (P{days}D)"),
            (None, true) => "every token has an expiry".into(),
            (None, false) => "no limit on token lifetimes".into(),
        }
    }

    /// Why a new token expiring at `expires_at` is refused at `now`.
    pub fn refuse_new(&self, expires_at: Option<i64>, now: i64) -> String {
        let latest = self.latest_text(now);
        match expires_at {
            None => format!(
                "the organisation's token policy says {}: give the token an expiry (expiresAt){latest}",
                self.describe()
            ),
            Some(at) => format!(
                "the organisation's token policy says {}, and this token would expire {}: choose an earlier expiry{latest}",
                self.describe(),
                when(at)
            ),
        }
    }

    /// Why a token expiring at `expires_at` is not rotated at `now`: its new secret would
    /// carry a lifetime the policy no longer allows.
    pub fn refuse_rotation(&self, expires_at: Option<i64>) -> String {
        let lives = match expires_at {
            None => "never expires".to_owned(),
            Some(at) => format!("expires {}", when(at)),
        };
        format!(
            "the organisation's token policy says {}, and this token {lives}: a new secret would carry it past the policy. Create a new token within the policy instead, and revoke this one once its agents have moved",
            self.describe()
        )
    }

    fn latest_text(&self, now: i64) -> String {
        match self.max_lifetime_days {
            Some(_) => format!(
                " on or before {}",
                rfc3339_from_millis(self.latest_expiry(now)).unwrap_or_default()
            ),
            None => String::new(),
        }
    }
}

fn when(at: i64) -> String {
    rfc3339_from_millis(at).map_or_else(|| "later".to_owned(), |t| format!("at {t}"))
}

/// Where a token stands against `policy` at `now`: the bootstrap token is exempt from any
/// policy that is set; a revoked token stands nowhere (it works no more); any other stands
/// beyond when the policy would not let it be made with its expiry today.
pub fn standing(
    policy: &TokenPolicy,
    source: TokenSource,
    revoked: bool,
    expires_at: Option<i64>,
    now: i64,
) -> Option<Standing> {
    if !policy.is_set() || revoked {
        return None;
    }
    if source == TokenSource::Bootstrap {
        return Some(Standing::Exempt);
    }
    (!policy.allows(expires_at, now)).then_some(Standing::Beyond)
}

/// [`TokenPolicy::latest_expiry`] in SQL, for the policy row `p` (columns
/// `max_lifetime_days`, `require_expiry`) and `now` a placeholder or column.
pub fn latest_expiry_case(p: &str, now: &str) -> String {
    format!(
        "CASE WHEN {p}.max_lifetime_days IS NOT NULL THEN {now} + {p}.max_lifetime_days * {DAY_MS} \
         WHEN {p}.require_expiry <> 0 THEN {} ELSE {NEVER} END",
        NEVER - 1
    )
}

/// "[`standing`] is [`Standing::Beyond`]" in SQL, for the token row `t` (columns `source`,
/// `revoked_at`, `expires_at`) and the latest expiry the policy allows, an SQL expression.
/// `COALESCE(expires_at, NEVER)` is what the index `tokens_expires_order` holds, so a
/// constant `latest` walks a range of it.
pub fn beyond_case(t: &str, latest: &str) -> String {
    let bootstrap = TokenSource::Bootstrap.as_str();
    format!(
        "({t}.revoked_at IS NULL AND {t}.source <> '{bootstrap}' \
         AND COALESCE({t}.expires_at, {NEVER}) > ({latest}))"
    )
}

/// [`beyond_case`] against the organisation's policy, the one row of `token_policy`.
pub fn beyond_sql(t: &str, now: &str) -> String {
    beyond_case(
        t,
        &format!(
            "SELECT {} FROM token_policy p",
            latest_expiry_case("p", now)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    const NOW: i64 = 1_767_225_600_000;

    #[test]
    fn a_policy_is_days_or_weeks_and_a_maximum_implies_an_expiry() {
        let p = TokenPolicy::parse(Some("P90D"), false).unwrap();
        assert_eq!(p.max_lifetime_days, Some(90));
        assert!(p.require_expiry);
        assert_eq!(p.max_lifetime().as_deref(), Some("P90D"));
        assert_eq!(
            TokenPolicy::parse(Some("P12W"), false)
                .unwrap()
                .max_lifetime_days,
            Some(84)
        );
        assert_eq!(
            TokenPolicy::parse(None, true).unwrap(),
            TokenPolicy {
                max_lifetime_days: None,
                require_expiry: true
            }
        );
        assert!(!TokenPolicy::parse(None, false).unwrap().is_set());
        for bad in [
            "90", "P", "PD", "P0D", "P1M", "P1Y", "PT24H", "P-1D", "P1.5D", "p90d",
        ] {
            assert_eq!(
                TokenPolicy::parse(Some(bad), false),
                Err(PolicyError::NotADuration),
                "{bad}"
            );
        }
        for long in ["P36526D", "P99999999999999999999D", "P5300W"] {
            assert_eq!(
                TokenPolicy::parse(Some(long), false),
                Err(PolicyError::TooLong),
                "{long}"
            );
        }
    }

    #[test]
    fn what_may_be_made_and_what_stands_beyond() {
        let p90 = TokenPolicy::parse(Some("P90D"), false).unwrap();
        let day = DAY_MS;
        assert!(p90.allows(Some(NOW + 90 * day), NOW));
        assert!(!p90.allows(Some(NOW + 90 * day + 1), NOW));
        assert!(!p90.allows(None, NOW));
        let required = TokenPolicy::parse(None, true).unwrap();
        assert!(required.allows(Some(NOW + 36_000 * day), NOW));
        assert!(!required.allows(None, NOW));
        assert!(TokenPolicy::default().allows(None, NOW));

        let user = TokenSource::User;
        assert_eq!(
            standing(&p90, user, false, None, NOW),
            Some(Standing::Beyond)
        );
        assert_eq!(standing(&p90, user, true, None, NOW), None, "revoked");
        assert_eq!(
            standing(&p90, user, false, Some(NOW - day), NOW),
            None,
            "expired"
        );
        assert_eq!(
            standing(&p90, TokenSource::Bootstrap, false, None, NOW),
            Some(Standing::Exempt)
        );
        assert_eq!(
            standing(
                &TokenPolicy::default(),
                TokenSource::Bootstrap,
                false,
                None,
                NOW
            ),
            None,
            "no policy, nothing to be exempt from"
        );
    }

    #[test]
    fn refusals_name_the_policy_and_the_latest_expiry() {
        let p90 = TokenPolicy::parse(Some("P90D"), false).unwrap();
        let new = p90.refuse_new(None, NOW);
        assert!(new.contains("at most 90 days (P90D)"), "{new}");
        assert!(
            new.contains("on or before 2026-04-01T00:00:00.000Z"),
            "{new}"
        );
        let rotation = p90.refuse_rotation(None);
        assert!(rotation.contains("never expires"), "{rotation}");
        assert_eq!(
            TokenPolicy::parse(None, true).unwrap().describe(),
            "every token has an expiry"
        );
    }
}
