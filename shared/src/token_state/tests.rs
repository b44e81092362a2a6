use super::*;
use crate::permissions::{Action, Permissions, Resource};
use crate::roles::{token_permissions, Role};
use crate::status::TokenSource;

const NOW: i64 = 1_000_000;

fn every() -> Vec<Facts> {
    Facts::every(&Rule::expiring_soon(NOW).instants())
}

#[test]
fn exactly_one_status_holds_for_any_facts_and_derive_names_it() {
    for facts in every() {
        let holding: Vec<TokenStatus> = TokenStatus::ALL
            .iter()
            .copied()
            .filter(|&s| Rule::status(s, NOW).holds(&facts))
            .collect();
        assert_eq!(holding.len(), 1, "{facts:?}: {holding:?}");
        assert_eq!(
            TokenStatus::derive(
                facts.revoked_at,
                facts.expires_at,
                facts.owner_disabled,
                NOW
            ),
            holding[0],
            "{facts:?}"
        );
    }
}

#[test]
fn expiring_soon_is_a_working_token_whose_expiry_is_within_seven_days() {
    let mut seen = [0, 0];
    for facts in every() {
        let soon = Rule::expiring_soon(NOW).holds(&facts);
        let expected = Rule::works(NOW).holds(&facts)
            && facts
                .expires_at
                .is_some_and(|e| e - NOW <= EXPIRING_SOON_MS);
        assert_eq!(soon, expected, "{facts:?}");
        seen[usize::from(soon)] += 1;
    }
    assert!(seen[0] > 0 && seen[1] > 0, "{seen:?}");
}

#[test]
fn revocable_is_what_the_status_says_may_be_revoked() {
    for facts in every() {
        let status = TokenStatus::derive(
            facts.revoked_at,
            facts.expires_at,
            facts.owner_disabled,
            NOW,
        );
        assert_eq!(
            Rule::revocable(NOW).holds(&facts),
            status.may_revoke(),
            "{facts:?}"
        );
    }
    assert!(TokenStatus::OwnerDisabled.may_revoke());
    assert!(!TokenStatus::Expired.may_revoke());
}

#[test]
fn negations_are_written_out_so_indexes_still_serve_them() {
    let mut n = 0;
    let sql = Rule::expiring_soon(NOW).sql(&Tables::JOINED, &mut |_| {
        n += 1;
        format!("?{n}")
    });
    assert_eq!(
        sql,
        "t.revoked_at IS NULL AND (t.expires_at > ?1 AND t.expires_at <= ?2) \
         AND COALESCE(u.disabled, 0) = 0"
    );
    assert!(!sql.contains("NOT ("));
}

/// Grants that allow the agent routes, one of them, some, none, and all (stored canonical).
pub(super) fn grants() -> Vec<Permissions> {
    [
        "heartbeat:write",
        "configs:read",
        "configs:*, heartbeat:write",
        "tokens:read",
    ]
    .iter()
    .map(|text| Permissions::parse(text).expect("valid grants"))
    .chain([Permissions::ALL])
    .collect()
}

/// The worker's Rust decision on an agent request, as `auth.rs` takes it: a replaced
/// bootstrap token is refused, then the presented secret's status, then the role the token
/// acts with, then the request against its effective permissions. The rule says the same.
#[test]
fn opens_is_the_decision_the_agent_path_takes_in_rust() {
    let mut seen = [0, 0];
    for (resource, action) in [
        (Resource::Heartbeat, Action::Write),
        (Resource::Configs, Action::Read),
        (Resource::Tokens, Action::Read),
    ] {
        let opens = Opens {
            resource,
            action,
            now: NOW,
            presented: "presented",
            configured: None,
        };
        for o in Opening::every(NOW, &grants()) {
            let superseded =
                o.source == TokenSource::Bootstrap && o.configured_current == Some(false);
            let decided = !superseded
                && o.status(NOW) == TokenStatus::Active
                && token_permissions(o.permissions, o.owner_role, o.ceiling, o.source)
                    .allows(resource, action);
            assert_eq!(opens.holds(&o), decided, "{resource:?}:{action:?} {o:?}");
            seen[usize::from(decided)] += 1;
        }
    }
    assert!(seen[0] > 0 && seen[1] > 0, "{seen:?}");
}

#[test]
fn a_replaced_secret_is_revoked_once_its_overlap_is_over() {
    let o = |presented_current, previous_until| Opening {
        facts: Facts {
            revoked_at: None,
            expires_at: None,
            owner_disabled: false,
        },
        presented_current,
        previous_until,
        configured_current: None,
        source: TokenSource::User,
        owner_role: Some(Role::Owner),
        ceiling: Role::Owner,
        permissions: Permissions::ALL,
    };
    assert_eq!(o(true, None).status(NOW), TokenStatus::Active);
    assert_eq!(o(false, Some(NOW + 1)).status(NOW), TokenStatus::Active);
    assert_eq!(o(false, Some(NOW)).status(NOW), TokenStatus::Revoked);
    assert_eq!(o(false, None).status(NOW), TokenStatus::Revoked);
}
