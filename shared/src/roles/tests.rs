//! The role rules, spelled out.

use super::*;

#[test]
fn permissions_only_grow_with_rank_so_the_lower_of_two_roles_decides() {
    for &low in Role::ALL {
        for &high in Role::ALL.iter().filter(|h| h.rank() >= low.rank()) {
            assert!(
                low.permissions().is_subset_of(high.permissions()),
                "{low:?} {high:?}"
            );
        }
    }
    for (resource, action) in pairs() {
        for &owner in Role::ALL {
            for &ceiling in Role::ALL {
                let acting = token_role(owner, ceiling);
                let both = [owner, ceiling]
                    .iter()
                    .all(|r| Role::allowing(resource, action).any(|a| a == *r));
                assert_eq!(both, acting.permissions().allows(resource, action));
            }
        }
    }
}

fn pairs() -> impl Iterator<Item = (Resource, Action)> {
    Resource::ALL
        .iter()
        .copied()
        .flat_map(|r| Action::ALL.iter().copied().map(move |a| (r, a)))
}

/// The whole matrix, spelled out: (role, resource) -> actions granted.
#[test]
fn a_token_acts_within_its_owner_and_its_ceiling() {
    use Role::*;
    use TokenSource::*;
    let full = Permissions::ALL;
    let as_manager = token_permissions(full, Some(Manager), Administrator, User);
    assert_eq!(as_manager, Manager.permissions());
    assert_eq!(
        token_permissions(full, Some(Owner), Manager, User),
        Manager.permissions()
    );
    assert_eq!(token_permissions(full, None, Owner, Bootstrap), full);
    assert_eq!(
        token_permissions(full, None, Owner, User),
        Permissions::NONE
    );
    assert_eq!(acting_role(Some(Viewer), Owner, Preshared), Some(Viewer));
}

#[test]
fn role_matrix_is_exactly_as_specified() {
    let expect = |role: Role, resource: Resource, action: Action| -> bool {
        match role {
            Role::Owner | Role::Administrator => true,
            Role::Manager => resource != Resource::Users,
            Role::Viewer => {
                action == Action::Read && matches!(resource, Resource::Configs | Resource::Agents)
            }
        }
    };
    for &role in Role::ALL {
        for (resource, action) in pairs() {
            assert_eq!(
                role.permissions().allows(resource, action),
                expect(role, resource, action),
                "{role:?} {resource:?}:{action:?}"
            );
        }
    }
}

#[test]
fn effective_permissions_never_exceed_token_or_role() {
    // Every single-pair token against every role, plus the full set.
    for &role in Role::ALL {
        for (resource, action) in pairs() {
            let token = Permissions::NONE.with(resource, action);
            let effective = effective_permissions(token, role);
            assert!(effective.is_subset_of(token));
            assert!(effective.is_subset_of(role.permissions()));
            assert_eq!(
                effective.allows(resource, action),
                role.permissions().allows(resource, action)
            );
        }
        assert_eq!(
            effective_permissions(Permissions::ALL, role),
            role.permissions()
        );
    }
}

#[test]
fn agent_preset_survives_every_role_but_viewer() {
    let agent = Permissions::telegraf_agent();
    for role in [Role::Owner, Role::Administrator, Role::Manager] {
        assert_eq!(effective_permissions(agent, role), agent, "{role:?}");
    }
    assert_eq!(
        effective_permissions(agent, Role::Viewer).to_string(),
        "configs:read"
    );
}

#[test]
fn rank_orders_the_roles() {
    use Role::*;
    assert!(Owner.outranks(Administrator) && Administrator.outranks(Manager));
    assert!(Manager.outranks(Viewer) && !Viewer.outranks(Viewer));
    assert_eq!(Owner.at_most(Administrator), Administrator);
    assert_eq!(Manager.at_most(Owner), Manager);
    assert_eq!(token_role(Owner, Administrator), Administrator);
    assert_eq!(token_role(Manager, Owner), Manager);
}

#[test]
fn nobody_manages_someone_who_outranks_them() {
    use Role::*;
    assert_eq!(manageable_roles(Owner), Role::ALL.to_vec());
    assert_eq!(
        manageable_roles(Administrator),
        vec![Administrator, Manager, Viewer]
    );
    assert!(manageable_roles(Manager).is_empty());
    assert!(manageable_roles(Viewer).is_empty());
    for &actor in Role::ALL {
        for &target in Role::ALL {
            if target.outranks(actor) {
                assert!(!may_manage(actor, target), "{actor:?} over {target:?}");
            }
        }
    }
}

#[test]
fn the_owner_role_is_never_granted_only_transferred() {
    use Role::*;
    for &actor in Role::ALL {
        assert!(!may_grant(actor, Owner), "{actor:?}");
    }
    assert_eq!(grantable_roles(Owner), vec![Administrator, Manager, Viewer]);
    assert_eq!(
        grantable_roles(Administrator),
        vec![Administrator, Manager, Viewer]
    );
    assert!(grantable_roles(Manager).is_empty());
    assert!(may_transfer_ownership(Owner));
    assert!(!may_transfer_ownership(Administrator));
}

#[test]
fn tokens_go_only_to_users_who_do_not_outrank_the_caller() {
    use Role::*;
    assert_eq!(may_reassign_to(Owner, Owner), Ok(()));
    assert_eq!(may_reassign_to(Owner, Manager), Ok(()));
    assert_eq!(may_reassign_to(Administrator, Administrator), Ok(()));
    assert_eq!(
        may_reassign_to(Administrator, Owner),
        Err(ReassignRefusal::Outranks)
    );
    assert_eq!(
        may_reassign_to(Owner, Viewer),
        Err(ReassignRefusal::CannotHoldTokens)
    );
    assert_eq!(
        may_reassign_to(Manager, Manager),
        Err(ReassignRefusal::NotAllowed)
    );
}

#[test]
fn roles_round_trip() {
    for &role in Role::ALL {
        assert_eq!(Role::parse(role.as_str()), Some(role));
        assert_eq!(
            serde_json::to_string(&role).unwrap(),
            format!("\"{}\"", role.as_str())
        );
    }
    assert_eq!(Role::parse("admin"), None);
    assert!(Role::Owner.sees_all_tokens() && Role::Administrator.sees_all_tokens());
    assert!(!Role::Manager.sees_all_tokens() && !Role::Viewer.sees_all_tokens());
}

#[test]
fn nobody_rotates_a_token_that_can_do_more_than_they_can() {
    let agent = Permissions::telegraf_agent();
    let ok = |caller: Role, token: Role| {
        may_rotate(
            caller,
            caller.permissions(),
            None,
            Some(token),
            agent,
            TokenSource::User,
            None,
        )
    };
    assert_eq!(
        ok(Role::Administrator, Role::Owner),
        Err(RotateRefusal::Exceeds)
    );
    assert_eq!(
        ok(Role::Manager, Role::Administrator),
        Err(RotateRefusal::Exceeds)
    );
    assert_eq!(ok(Role::Administrator, Role::Administrator), Ok(()));
    assert_eq!(ok(Role::Owner, Role::Manager), Ok(()));
    // A narrow token of the same role cannot rotate a wider one; nobody rotates the bootstrap
    // token or a token without an owner.
    let (all, owner) = (Permissions::ALL, Some(Role::Owner));
    for (caller, token_role, granted, source, refusal) in [
        (agent, owner, all, TokenSource::User, RotateRefusal::Exceeds),
        (
            all,
            None,
            agent,
            TokenSource::Bootstrap,
            RotateRefusal::Bootstrap,
        ),
        (
            all,
            None,
            agent,
            TokenSource::User,
            RotateRefusal::Ownerless,
        ),
    ] {
        let verdict = may_rotate(Role::Owner, caller, None, token_role, granted, source, None);
        assert_eq!(verdict, Err(refusal));
    }
    let by_token = |caller: Option<i64>, token: Option<i64>| {
        may_rotate(
            Role::Owner,
            all,
            caller,
            Some(Role::Owner),
            agent,
            TokenSource::User,
            token,
        )
    };
    assert_eq!(by_token(Some(10), None), Err(RotateRefusal::Outlives));
    assert_eq!(by_token(Some(10), Some(11)), Err(RotateRefusal::Outlives));
    assert_eq!(by_token(Some(10), Some(10)), Ok(()));
    assert_eq!(by_token(None, None), Ok(()));
}

#[test]
fn nobody_resets_the_password_of_a_peer_or_a_superior() {
    use Role::*;
    assert_eq!(
        resettable_roles(Owner),
        vec![Administrator, Manager, Viewer]
    );
    assert_eq!(resettable_roles(Administrator), vec![Manager, Viewer]);
    assert!(resettable_roles(Manager).is_empty());
    assert!(resettable_roles(Viewer).is_empty());
}

#[test]
fn whoever_receives_a_secret_caps_the_ceiling_at_their_role() {
    use Role::*;
    assert_eq!(ceiling_once_held_by(Administrator, Manager), Manager);
    assert_eq!(ceiling_once_held_by(Manager, Owner), Manager);
    // A token an Administrator made, rotated by a Manager, handed back to an Administrator,
    // acts as a Manager.
    let ceiling = ceiling_once_held_by(Administrator, Manager);
    assert_eq!(token_role(Administrator, ceiling), Manager);
}

#[test]
fn only_a_caller_who_could_hold_a_token_widens_its_scope() {
    let agent = Permissions::telegraf_agent();
    assert!(may_widen_scope(
        Role::Owner,
        Permissions::ALL,
        Some(Role::Administrator),
        agent
    ));
    assert!(!may_widen_scope(
        Role::Administrator,
        Permissions::ALL,
        Some(Role::Owner),
        agent
    ));
    assert!(!may_widen_scope(
        Role::Owner,
        agent,
        Some(Role::Owner),
        Permissions::ALL
    ));
    assert!(
        !may_widen_scope(Role::Owner, Permissions::ALL, None, agent),
        "ownerless"
    );
}
