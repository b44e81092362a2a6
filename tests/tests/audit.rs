//! The audit log: every change in it, chained; a deleted token leaves nothing behind; it
//! refuses changes even from SQL; the bootstrap token's life is in it too.

use reqwest::StatusCode;
use serde_json::json;
use shared::audit::{AuditList, AuditVerification};
use tests::answers::{expect_error, token_refusal};
use tests::TestServer;

async fn audit(owner: &tests::Actor, query: &str) -> AuditList {
    owner.get_json(&format!("/api/audit{query}")).await
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_chained_and_a_deleted_token_leaves_nothing() {
    let (server, owner) = TestServer::with_owner().await;
    let doomed = owner.agent_token("doomed-zebra-name").await;
    let kept = owner.agent_token("kept").await;
    let bulk_a = owner.agent_token("bulk-a").await;
    let bulk_b = owner.agent_token("bulk-b").await;
    owner.revoke(kept.token.id).await;
    owner.rotate(doomed.token.id, "PT1H").await;
    let manager = owner.create_user("mia", "manager").await;
    owner
        .patch(
            &format!("/api/users/{}", manager.user_id()),
            &json!({"disabled": true}),
        )
        .await;
    // A token acts: its owner and the token's description are the actor.
    let scripted = owner
        .token_actor("ci-script", "tokens:*,configs:*,heartbeat:*")
        .await;
    scripted.create_token(json!({"name": "from-ci"})).await;
    assert_eq!(
        owner
            .delete(&format!("/api/tokens/{}", doomed.token.id))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let r = owner
        .post(
            "/api/tokens/bulk-delete",
            &json!({"ids": [bulk_a.token.id, bulk_b.token.id]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let log = audit(&owner, "?limit=200").await;
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "token_deleted",
            "token_deleted",
            "token_created",
            "token_created",
            "user_disabled",
            "user_created",
            "token_rotated",
            "token_revoked",
            "token_created",
            "token_created",
            "token_created",
            "token_created",
            "user_created"
        ],
        "newest first"
    );
    let bulk = &log.items[0];
    assert_eq!(
        (bulk.count, bulk.subject_id.as_deref(), bulk.actor.as_str()),
        (2, None, "owner")
    );
    let single = &log.items[1];
    assert_eq!(
        (
            single.count,
            single.subject_id.as_deref(),
            single.subject_name.as_deref()
        ),
        (1, None, None)
    );
    let by_token = &log.items[2];
    assert_eq!(
        (
            by_token.actor.as_str(),
            by_token.actor_token.as_deref(),
            by_token.subject_name.as_deref()
        ),
        ("owner", Some("ci-script"), Some("from-ci"))
    );
    let rotated = &log.items[6];
    assert_eq!(
        rotated.subject_name, None,
        "the rotated token was deleted since: its name is gone"
    );
    assert!(
        log.items.iter().all(|e| e.hash.is_some()),
        "every entry is sealed"
    );

    // Filters and paging by cursor.
    let only = audit(&owner, "?action=token_deleted").await;
    assert_eq!(only.items.len(), 2);
    let page = audit(&owner, "?limit=5").await;
    let rest = audit(
        &owner,
        &format!("?limit=200&cursor={}", page.next_cursor.clone().unwrap()),
    )
    .await;
    assert_eq!(page.items.len() + rest.items.len(), log.items.len());
    assert_eq!(rest.items[0].seq, page.items[4].seq - 1);
    let by_actor = audit(&owner, "?actor=OWNER").await;
    assert_eq!(
        by_actor.items.len(),
        log.items.len() - 0,
        "case-insensitive actor"
    );
    expect_error(
        owner.get("/api/audit?action=nope").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    )
    .await;
    // Only Owners and Administrators read it; nothing changes it through the API.
    expect_error(
        manager.get("/api/audit").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let admin = owner.create_user("ada", "administrator").await;
    assert_eq!(admin.get("/api/audit").await.status(), StatusCode::OK);
    let other_manager = owner.create_user("max", "manager").await;
    expect_error(
        other_manager.get("/api/audit").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_eq!(
        owner.delete("/api/audit").await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );

    // Nothing anywhere in the audit table names the deleted tokens.
    for (needle, what) in [
        (doomed.token.id.to_string(), "id"),
        ("doomed-zebra-name".to_owned(), "name"),
        (doomed.token.hint.clone(), "hint"),
        (bulk_a.token.id.to_string(), "bulk id"),
        ("bulk-b".to_owned(), "bulk name"),
    ] {
        let hits = server.sql(&format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE instr(COALESCE(actor,'') || COALESCE(actor_token_id,'') || COALESCE(actor_token_name,'') \
             || COALESCE(subject_id,'') || COALESCE(subject_name,'') || COALESCE(detail,''), '{needle}') > 0"
        ));
        assert_eq!(
            hits[0]["n"], 0,
            "the audit table still holds the deleted token's {what} ({needle})"
        );
    }
    let kept_hits = server.sql(&format!(
        "SELECT COUNT(*) AS n FROM audit_log WHERE subject_id = '{}'",
        kept.token.id
    ));
    assert_eq!(kept_hits[0]["n"], 2, "a live token stays named");

    // The chain verifies, the database refuses edits, and an edit made behind its back is found.
    let verified: AuditVerification = owner.get_json("/api/audit/verify").await;
    assert!(verified.intact, "{verified:?}");
    assert_eq!(verified.entries as usize, log.items.len() + 2);
    let victim = log.items[5].seq;
    server.sql(&format!("DROP TRIGGER audit_append_only; UPDATE audit_log SET detail = 'as Viewer' WHERE seq = {victim}"));
    let broken: AuditVerification = owner.get_json("/api/audit/verify").await;
    assert_eq!(
        (broken.intact, broken.broken_at),
        (false, Some(victim)),
        "{broken:?}"
    );
}

#[tokio::test]
async fn the_audit_log_refuses_changes_even_from_sql() {
    let (server, owner) = TestServer::with_owner().await;
    owner.agent_token("t").await;
    let _ = audit(&owner, "").await;
    for sql in [
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
        "UPDATE audit_log SET hash = 'x'",
    ] {
        let out = server.try_sql(sql);
        let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        // Refused by the table's own triggers, not by some other failure of the command.
        assert!(
            !out.status.success() && said.contains("audit entries cannot be"),
            "{sql} was not refused by the audit log: {said}"
        );
    }
    let verified: AuditVerification = owner.get_json("/api/audit/verify").await;
    assert!(verified.intact && verified.entries == 2, "{verified:?}");
}

#[tokio::test]
async fn the_bootstrap_tokens_life_is_in_the_audit_log_too() {
    const A: &str = "tc-apiv1_a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11ce0a11c";
    const B: &str = "tc-apiv1_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
    let mut server = TestServer::with_owner_token(A).await;
    let owner = server.owner().await;
    let bootstrap = owner.holding(A);
    assert_eq!(bootstrap.get("/api/tokens").await.status(), StatusCode::OK);
    server.restart(&[("OWNER_TOKEN", B)]).await;
    let (bootstrap, owner) = (bootstrap.rebased(&server), owner.rebased(&server));
    assert_eq!(
        token_refusal(bootstrap.get("/api/tokens").await).await,
        "Token revoked"
    );
    let log = audit(&owner, "").await;
    let seen: Vec<(&str, &str)> = log
        .items
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("token_revoked", "OWNER_TOKEN change"),
            ("token_created", "OWNER_TOKEN"),
            ("user_created", "owner")
        ]
    );
    assert_eq!(
        log.items[1].subject_name.as_deref(),
        Some("bootstrap-token")
    );
    let verified: AuditVerification = owner.get_json("/api/audit/verify").await;
    assert!(verified.intact && verified.entries == 3, "{verified:?}");
}
