use super::*;

fn entry(seq: i64, name: Option<&str>) -> StoredEntry {
    StoredEntry {
        seq,
        at: 1_000 + seq,
        actor: "alice".into(),
        // Even entries carry a kind, odd ones were sealed before kinds were recorded.
        actor_kind: (seq % 2 == 0).then(|| "user".into()),
        actor_token_id: None,
        actor_token_name: None,
        actor_nonce: None,
        action: "token_revoked".into(),
        subject_type: Some("token".into()),
        subject_id: name.map(|_| format!("id-{seq}")),
        subject_name: name.map(str::to_owned),
        subject_nonce: name.map(|_| format!("nonce-{seq}")),
        count: 1,
        detail: None,
        actor_digest: None,
        subject_digest: None,
        prev_hash: None,
        hash: None,
        // Every third carries an outcome and where it came from (issue 23).
        outcome: (seq % 3 == 0).then(|| "denied".into()),
        client_ip: (seq % 3 == 0).then(|| "203.0.113.9".into()),
        user_agent: None,
        key_id: None,
    }
}

/// Seals entries the way the worker does.
fn seal(entries: &mut [StoredEntry]) {
    let mut prev = GENESIS.to_owned();
    for e in entries {
        let (a, s) = e.digests();
        let hash = e.sealed(&a, &s).hash(&prev);
        e.actor_digest = Some(a);
        e.subject_digest = Some(s);
        e.prev_hash = Some(prev);
        e.hash = Some(hash.clone());
        prev = hash;
    }
}

fn chain() -> Vec<StoredEntry> {
    let mut entries: Vec<StoredEntry> = (1..=4)
        .map(|i| entry(i, Some(&format!("token {i}"))))
        .collect();
    seal(&mut entries);
    entries
}

#[test]
fn an_untouched_chain_verifies_and_names_its_head() {
    let entries = chain();
    assert_eq!(
        verify(GENESIS, &entries, None, &mut false),
        Ok(entries[3].hash.clone().unwrap())
    );
}

#[test]
fn any_change_removal_or_insertion_names_the_first_broken_entry() {
    let mut changed = chain();
    changed[1].detail = Some("edited".into());
    assert_eq!(
        verify(GENESIS, &changed, None, &mut false).unwrap_err().seq,
        2
    );

    let mut renamed = chain();
    renamed[2].subject_name = Some("someone else".into());
    assert_eq!(
        verify(GENESIS, &renamed, None, &mut false).unwrap_err().seq,
        3
    );

    let mut removed = chain();
    removed.remove(1);
    assert_eq!(
        verify(GENESIS, &removed, None, &mut false).unwrap_err().seq,
        3
    );

    let mut rekinded = chain();
    rekinded[1].actor_kind = Some("bootstrap_token".into());
    assert_eq!(
        verify(GENESIS, &rekinded, None, &mut false)
            .unwrap_err()
            .seq,
        2
    );
    let mut unkinded = chain();
    unkinded[3].actor_kind = None;
    assert_eq!(
        verify(GENESIS, &unkinded, None, &mut false)
            .unwrap_err()
            .seq,
        4
    );

    let mut rehashed = chain();
    rehashed[0].actor = "mallory".into();
    let (a, s) = rehashed[0].digests();
    rehashed[0].hash = Some(rehashed[0].sealed(&a, &s).hash(GENESIS));
    assert_eq!(
        verify(GENESIS, &rehashed, None, &mut false)
            .unwrap_err()
            .seq,
        2,
        "re-hashing one entry breaks the next link"
    );
}

#[test]
fn erasing_a_deleted_tokens_reference_keeps_the_chain_and_leaves_nothing_of_it() {
    let mut entries = chain();
    let e = &mut entries[1];
    let digest = e.subject_digest.clone().unwrap();
    (e.subject_id, e.subject_name, e.subject_nonce) = (None, None, None);
    assert!(verify(GENESIS, &entries, None, &mut false).is_ok());
    assert!(!digest.contains("token 2") && digest.len() == 64);
    // The digest depends on the erased nonce: knowing id and name does not reproduce it.
    assert_ne!(
        reference_digest(None, Some("id-2"), Some("token 2")),
        digest
    );
}

#[test]
fn the_query_takes_filters_and_refuses_the_rest() {
    let q = AuditQuery::parse([
        ("actor", " alice "),
        ("action", "token_deleted"),
        ("cursor", "40"),
        ("limit", "10"),
    ])
    .unwrap();
    assert_eq!(
        (q.actor.as_deref(), q.action, q.before, q.limit),
        (Some("alice"), Some(AuditAction::TokenDeleted), Some(40), 10)
    );
    assert_eq!(q.to_address(), "?actor=alice&action=token_deleted");
    for bad in [
        ("action", "deleted"),
        ("cursor", "x"),
        ("cursor", "0"),
        ("limit", "0"),
        ("limit", "201"),
        ("sort", "at"),
    ] {
        assert!(AuditQuery::parse([bad]).is_err(), "{bad:?}");
    }
    assert_eq!(AuditQuery::parse([]).unwrap().limit, DEFAULT_PAGE);
    let back = AuditQuery::from_address("?actor=ada%20l&action=role_changed&cursor=9&x=1");
    assert_eq!(
        (back.actor.as_deref(), back.action, back.before),
        (Some("ada l"), Some(AuditAction::RoleChanged), None)
    );
    assert_eq!(AuditQuery::from_address(&back.to_address()), back);
    assert_eq!(
        AuditQuery::from_address("?action=nope"),
        AuditQuery::from_address("")
    );
}

#[test]
fn an_outcome_and_its_origin_are_covered_and_older_entries_hash_as_before() {
    let mut entries = vec![entry(1, Some("a")), entry(2, None), entry(3, Some("b"))];
    seal(&mut entries);
    assert!(verify(GENESIS, &entries, None, &mut false).is_ok());
    // Entry 2 has no outcome: its hash is the one it had before outcomes existed.
    let e = &entries[1];
    let (a, s) = e.digests();
    let before = sha256_hex(
        serde_json::json!([
            e.prev_hash,
            2,
            1002,
            "alice",
            a,
            "token_revoked",
            "token",
            s,
            1,
            null,
            "user"
        ])
        .to_string()
        .as_bytes(),
    );
    assert_eq!(e.hash.as_deref(), Some(before.as_str()));
    // Changing entry 3's address or outcome breaks it.
    for change in [
        |e: &mut StoredEntry| e.client_ip = Some("203.0.113.10".into()),
        |e: &mut StoredEntry| e.outcome = Some("success".into()),
        |e: &mut StoredEntry| e.user_agent = Some("curl".into()),
    ] {
        let mut changed = entries.clone();
        change(&mut changed[2]);
        assert_eq!(
            verify(GENESIS, &changed, None, &mut false).unwrap_err().seq,
            3
        );
    }
}

#[test]
fn origins_are_kept_clean_and_short() {
    assert_eq!(
        clean_address(Some(" 2001:DB8::1 ")).as_deref(),
        Some("2001:db8::1")
    );
    assert_eq!(clean_address(Some("not an address")), None);
    let long = format!("agent\u{7}/1.0 {}", "x".repeat(400));
    let kept = clean_user_agent(Some(&long)).unwrap();
    assert!(
        kept.starts_with("agent/1.0 x") && kept.chars().count() == MAX_USER_AGENT,
        "{kept}"
    );
    assert_eq!(clean_user_agent(Some("\n\t")), None);
    assert_eq!(
        AuditAction::attempted(crate::routes::Endpoint::CreateUser),
        Some(AuditAction::UserCreated)
    );
    assert_eq!(
        AuditAction::attempted(crate::routes::Endpoint::ListUsers),
        None
    );
}

/// Seals entries under `key` from `from_seq` on (unkeyed before), the way the worker does.
fn seal_keyed(entries: &mut [StoredEntry], key: &key::AuditKey, from_seq: i64) {
    let mut prev = GENESIS.to_owned();
    for e in entries {
        let (a, s) = e.digests();
        let sealed = e.sealed(&a, &s);
        let hash = if e.seq >= from_seq {
            sealed.keyed_hash(&prev, key)
        } else {
            sealed.hash(&prev)
        };
        e.key_id = (e.seq >= from_seq).then(|| key.id.clone());
        e.actor_digest = Some(a);
        e.subject_digest = Some(s);
        e.prev_hash = Some(prev);
        e.hash = Some(hash.clone());
        prev = hash;
    }
}

#[test]
fn a_keyed_chain_rewritten_without_the_key_breaks_at_the_first_rewritten_entry() {
    let secret = "k".repeat(40);
    let keys = key::AuditKeys::parse(&format!("k2:{secret}2,k1:{secret}1")).unwrap();
    let old = key::AuditKeys::parse(&format!("k1:{secret}1")).unwrap();
    let mut entries: Vec<StoredEntry> = (1..=6).map(|n| entry(n, Some("t"))).collect();
    // Entries 1 and 2 were sealed before the key; 3 on under k1, the key that rotated out.
    seal_keyed(&mut entries, old.current(), 3);
    let mut keyed = false;
    assert!(verify(GENESIS, &entries, Some(&keys), &mut keyed).is_ok());
    assert!(keyed);
    // Without the key, its entries cannot be checked, and the answer says which key.
    let unknown = verify(GENESIS, &entries, None, &mut false).unwrap_err();
    assert_eq!(unknown.seq, 3);
    assert!(unknown.problem.contains("\"k1\""), "{}", unknown.problem);

    // Someone with the database alone rewrites entry 4's detail and re-hashes from there on:
    // plainly (no key id), or claiming the key id with a guessed secret.
    let guessed = key::AuditKeys::parse(&format!("k1:{}", "g".repeat(40))).unwrap();
    for rewrite_with in [None, Some(guessed.current())] {
        let mut rewritten = entries.clone();
        rewritten[3].detail = Some("nothing happened".into());
        let mut prev = rewritten[2].hash.clone().unwrap();
        for e in rewritten.iter_mut().skip(3) {
            let (a, s) = e.digests();
            let sealed = e.sealed(&a, &s);
            let hash = match rewrite_with {
                None => sealed.hash(&prev),
                Some(k) => sealed.keyed_hash(&prev, k),
            };
            e.key_id = rewrite_with.map(|k| k.id.clone());
            e.prev_hash = Some(prev.clone());
            e.hash = Some(hash.clone());
            prev = hash;
        }
        let broken = verify(GENESIS, &rewritten, Some(&keys), &mut false).unwrap_err();
        assert_eq!(broken.seq, 4, "{rewrite_with:?}: {}", broken.problem);
    }
}

#[test]
fn parts_of_a_verification_join_into_one() {
    let part = |entries, keyed, head: &str, next| AuditVerification {
        intact: true,
        entries,
        head: Some(head.to_owned()),
        broken_at: None,
        problem: None,
        key_id: Some("k1".into()),
        keyed_entries: keyed,
        next,
    };
    let whole = part(5_000, 4_000, "a", Some(5_000))
        .then(part(5_000, 5_000, "b", Some(10_000)))
        .then(part(12, 12, "c", None));
    assert_eq!(
        (
            whole.entries,
            whole.keyed_entries,
            whole.head.as_deref(),
            whole.next
        ),
        (10_012, 9_012, Some("c"), None)
    );
    // A part that breaks says where; the counts are of the entries that held.
    let broken = AuditVerification {
        intact: false,
        entries: 7,
        head: None,
        broken_at: Some(5_008),
        problem: Some("its hash does not match".into()),
        key_id: Some("k1".into()),
        keyed_entries: 7,
        next: None,
    };
    let whole = part(5_000, 5_000, "a", Some(5_000)).then(broken);
    assert!(!whole.intact);
    assert_eq!((whole.entries, whole.broken_at), (5_007, Some(5_008)));
    assert_eq!(whole.head.as_deref(), Some("a"), "the last head that held");
}
