//! Issue 13: rotation with an overlap window, "expiring soon" and the daily expiry notice,
//! leaked-token reports from a secret scanner, the audit log and the daily housekeeping,
//! against the real worker and its local D1.

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::api::{CreatedToken, EventKind};
use shared::audit::{AuditList, AuditVerification};
use std::time::Duration;
use tests::answers::{expect_error, expect_json, token_refusal};
use tests::telegraf::Telegraf;
use tests::{wait, TestServer};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn in_hours(h: i64) -> String {
    shared::time::rfc3339_from_millis(now_ms() + h * 3_600_000).unwrap()
}

async fn rotate(
    owner: &tests::Actor,
    id: impl std::fmt::Display,
    overlap: Option<&str>,
) -> CreatedToken {
    let body = match overlap {
        Some(o) => json!({ "overlap": o }),
        None => json!({}),
    };
    expect_json(
        owner.post(&format!("/api/tokens/{id}/rotate"), &body).await,
        StatusCode::OK,
    )
    .await
}

fn beat(id: &str) -> Value {
    json!({"id": id, "version": "Telegraf 1.39.0"})
}

#[tokio::test]
async fn rotation_keeps_the_old_secret_for_its_overlap_and_then_refuses_it() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner
        .create_config("fleet", "[agent]\ninterval = \"10s\"\n")
        .await;
    let created = owner.agent_token("edge fleet").await;
    let old = Telegraf::new(&server, &created.secret);
    assert_eq!(old.fetch(config.id).await.status(), StatusCode::OK);

    let rotated = rotate(&owner, created.token.id, Some("PT1H")).await;
    assert_ne!(rotated.secret, created.secret);
    let token = &rotated.token;
    assert_eq!(
        (
            token.id,
            &token.name,
            token.owner_id,
            token.permissions,
            token.expires_at
        ),
        (
            created.token.id,
            &created.token.name,
            created.token.owner_id,
            created.token.permissions,
            created.token.expires_at
        ),
        "the same token"
    );
    assert_ne!(
        token.hint, created.token.hint,
        "the hint is the new secret's"
    );
    let until = token.previous_valid_until.expect("an overlap end").millis();
    assert!((until - now_ms() - 3_600_000).abs() < 60_000, "{until}");
    assert!(
        token.previous_last_used_at.is_some(),
        "the old secret was just used"
    );

    // During the overlap both secrets work, for downloads and heartbeats.
    let new = Telegraf::new(&server, &rotated.secret);
    assert_eq!(old.fetch(config.id).await.status(), StatusCode::OK);
    assert_eq!(new.fetch(config.id).await.status(), StatusCode::OK);
    assert_eq!(
        old.heartbeat(&beat("old-agent")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        new.heartbeat(&beat("new-agent")).await.status(),
        StatusCode::NO_CONTENT
    );

    // The secret is never shown again, and history records the rotation.
    let shown = owner
        .get(&format!("/api/tokens/{}", token.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(!shown.contains(&rotated.secret[9..]));
    let history = owner.history(token.id).await;
    assert_eq!(history[0].kind, EventKind::Rotated);
    assert!(
        history[0].detail.as_deref().unwrap().contains("1 hour"),
        "{:?}",
        history[0]
    );

    // A second rotation without overlap: the secret it replaces stops on its next request,
    // refused like a revoked one, and the first secret is forgotten altogether.
    let third = rotate(&owner, token.id, None).await;
    assert_eq!(
        token_refusal(new.fetch(config.id).await).await,
        "Token revoked"
    );
    // A beat that would be written at once (its version changed), with the ended secret.
    let upgraded = json!({"id": "new-agent", "version": "Telegraf 1.40.0"});
    assert_eq!(
        token_refusal(new.heartbeat(&upgraded).await).await,
        "Token revoked"
    );
    assert_eq!(
        token_refusal(old.fetch(config.id).await).await,
        "Invalid token"
    );
    let newest = Telegraf::new(&server, &third.secret);
    assert_eq!(newest.fetch(config.id).await.status(), StatusCode::OK);
    // The refused heartbeat wrote nothing: the agent's row still holds its last accepted beat.
    let rows = server.sql("SELECT version FROM agents WHERE id = 'new-agent'");
    assert_eq!(rows[0]["version"], "Telegraf 1.39.0");
    // The same beat with the working secret is written (so the check above could fail).
    assert_eq!(
        newest.heartbeat(&upgraded).await.status(),
        StatusCode::NO_CONTENT
    );
    let rows = server.sql("SELECT version FROM agents WHERE id = 'new-agent'");
    assert_eq!(rows[0]["version"], "Telegraf 1.40.0");
}

#[tokio::test]
async fn a_revoke_or_delete_during_an_overlap_ends_both_secrets() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("fleet", "[agent]\n").await;
    for end in ["revoke", "delete"] {
        let created = owner.agent_token(&format!("overlap {end}")).await;
        let rotated = rotate(&owner, created.token.id, Some("P7D")).await;
        let (old, new) = (
            Telegraf::new(&server, &created.secret),
            Telegraf::new(&server, &rotated.secret),
        );
        assert_eq!(old.fetch(config.id).await.status(), StatusCode::OK);
        let expected = if end == "revoke" {
            owner.revoke(created.token.id).await;
            "Token revoked"
        } else {
            assert_eq!(
                owner
                    .delete(&format!("/api/tokens/{}", created.token.id))
                    .await
                    .status(),
                StatusCode::NO_CONTENT
            );
            "Invalid token"
        };
        assert_eq!(
            token_refusal(old.fetch(config.id).await).await,
            expected,
            "{end}: old"
        );
        assert_eq!(
            token_refusal(new.fetch(config.id).await).await,
            expected,
            "{end}: new"
        );
    }
}

#[tokio::test]
async fn expiring_soon_is_a_filter_and_the_daily_notice_names_exactly_those_tokens() {
    // A receiver on a free local port: every POST body it gets, in order.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::<Value>::new()));
    let sink = received.clone();
    tokio::spawn(async move {
        // The first delivery fails with 500, so the retry is what arrives.
        let mut first = true;
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let body = read_request_body(&mut socket).await;
            let status = if first {
                "500 Internal Server Error"
            } else {
                "204 No Content"
            };
            if !first {
                sink.lock()
                    .await
                    .push(serde_json::from_slice(&body).unwrap());
            }
            first = false;
            use tokio::io::AsyncWriteExt;
            let _ = socket
                .write_all(
                    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
        }
    });
    let server = TestServer::builder()
        .var(
            "EXPIRY_WEBHOOK_URL",
            &format!("http://127.0.0.1:{port}/hooks/expiry"),
        )
        .start()
        .await;
    let owner = server.owner().await;
    let soon = owner
        .create_token(json!({"name": "soon", "expiresAt": in_hours(50)}))
        .await;
    let sooner = owner
        .create_token(json!({"name": "sooner", "expiresAt": in_hours(3)}))
        .await;
    owner
        .create_token(json!({"name": "later", "expiresAt": in_hours(24 * 10)}))
        .await;
    owner.create_token(json!({"name": "never"})).await;
    let revoked = owner
        .create_token(json!({"name": "revoked soon", "expiresAt": in_hours(5)}))
        .await;
    owner.revoke(revoked.token.id).await;

    let listed = owner
        .tokens("?status=expiring&sort=expiresAt&order=asc")
        .await;
    let names: Vec<&str> = listed.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["sooner", "soon"]);
    assert_eq!(listed.total, 2);

    let run = server.get("/__scheduled?cron=0+6+*+*+*").await;
    assert!(run.status().is_success(), "{}", run.status());
    wait::until(
        "the webhook to receive the notice",
        Duration::from_secs(20),
        || {
            let received = received.clone();
            async move { (!received.lock().await.is_empty()).then_some(()) }
        },
    )
    .await;
    let got = received.lock().await.clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let notice = &got[0];
    assert_eq!(notice["event"], "tokens_expiring");
    let ids: Vec<&str> = notice["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [sooner.token.id.to_string(), soon.token.id.to_string()]
    );
    assert_eq!(notice["tokens"][0]["daysLeft"], 1);
    assert_eq!(notice["tokens"][1]["daysLeft"], 3);
    assert!(
        !notice.to_string().contains(&sooner.secret[9..]),
        "no secret in the notice"
    );
    // Each named token's history records the delivery; the others' do not.
    wait::until(
        "the delivery to be recorded",
        Duration::from_secs(10),
        || {
            let owner = &owner;
            async move {
                owner
                    .history(soon.token.id)
                    .await
                    .iter()
                    .any(|e| e.kind == EventKind::ExpiryNotice)
                    .then_some(())
            }
        },
    )
    .await;
    assert!(owner
        .history(revoked.token.id)
        .await
        .iter()
        .all(|e| e.kind != EventKind::ExpiryNotice));
}

/// The body of one HTTP/1.1 request with a Content-Length.
async fn read_request_body(socket: &mut tokio::net::TcpStream) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = socket.read(&mut buf).await.unwrap();
        if n == 0 {
            return Vec::new();
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + length {
                let n = socket.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            return data[end + 4..end + 4 + length].to_vec();
        }
    }
}

/// A P-256 key pair made for this test with openssl: (private PEM path, public PEM).
fn scanning_key(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let private = dir.join("scan-key.pem");
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    run(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        private.to_str().unwrap(),
    ]);
    let public = run(&["ec", "-in", private.to_str().unwrap(), "-pubout"]);
    (private, String::from_utf8(public).unwrap())
}

/// base64 of the DER ECDSA-SHA256 signature of `body`.
fn sign(private: &std::path::Path, body: &[u8]) -> String {
    use base64::Engine;
    let file = private.with_extension("body");
    std::fs::write(&file, body).unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-sign",
            private.to_str().unwrap(),
            file.to_str().unwrap(),
        ])
        .output()
        .expect("openssl dgst");
    assert!(out.status.success());
    base64::engine::general_purpose::STANDARD.encode(out.stdout)
}

#[tokio::test]
async fn a_signed_leak_report_revokes_the_leaked_tokens_and_nothing_else_gets_in() {
    let keys_dir = tempfile::tempdir().unwrap();
    let (private, public) = scanning_key(keys_dir.path());
    let keys = json!([{ "key_identifier": "key-1", "key": public }]).to_string();
    let server = TestServer::builder()
        .var("SECRET_SCANNING_KEYS", &keys)
        .start()
        .await;
    let owner = server.owner().await;
    let leaked = owner.agent_token("leaked").await;
    let safe = owner.agent_token("safe").await;
    let report = json!([
        { "token": leaked.secret, "type": "telegraf_api_token", "url": "https://github.com/acme/infra/blob/main/telegraf.conf", "source": "content" },
        { "token": "tc-apiv1_".to_owned() + &"0".repeat(64), "type": "telegraf_api_token", "url": "https://example.com/x", "source": "content" }
    ]);
    let body = serde_json::to_vec(&report).unwrap();
    let post = |body: Vec<u8>, key_id: &str, signature: String| {
        server
            .http()
            .post(server.url("/api/secret-scanning"))
            .header("Content-Type", "application/json")
            .header("Github-Public-Key-Identifier", key_id)
            .header("Github-Public-Key-Signature", signature)
            .body(body)
    };
    // Forged: signed by another key; tampered: a valid signature over a different body;
    // unknown key id; no signature; a signature that is not DER.
    let forged_key = keys_dir.path().join("forger.pem");
    std::process::Command::new("openssl")
        .args([
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            forged_key.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    for (what, request) in [
        (
            "forged",
            post(body.clone(), "key-1", sign(&forged_key, &body)),
        ),
        (
            "tampered",
            post(tampered.clone(), "key-1", sign(&private, &body)),
        ),
        (
            "unknown key",
            post(body.clone(), "key-2", sign(&private, &body)),
        ),
        ("not der", post(body.clone(), "key-1", "AAAA".into())),
    ] {
        let r = server.send(request).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
    }
    let r = server
        .send(
            server
                .http()
                .post(server.url("/api/secret-scanning"))
                .header("Content-Type", "application/json")
                .body(body.clone()),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        owner.token(leaked.token.id).await.status,
        shared::TokenStatus::Active,
        "nothing revoked by a bad report"
    );

    // A malformed body, correctly signed: 400, nothing changes.
    let malformed = br#"{"token": "x"}"#.to_vec();
    let r = server
        .send(post(malformed.clone(), "key-1", sign(&private, &malformed)))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // The genuine report.
    let r = server
        .send(post(body.clone(), "key-1", sign(&private, &body)))
        .await;
    let verdicts: Value = expect_json(r, StatusCode::OK).await;
    let labels: Vec<&str> = verdicts
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["true_positive", "false_positive"]);
    assert_eq!(
        verdicts[0]["token_hash"],
        shared::token::sha256_hex(leaked.secret.as_bytes())
    );
    assert_eq!(verdicts[0]["token_type"], "telegraf_api_token");
    let now = owner.token(leaked.token.id).await;
    assert_eq!(now.status, shared::TokenStatus::Revoked);
    assert_eq!(now.revoked_by.as_deref(), Some("secret scanning"));
    let history = owner.history(leaked.token.id).await;
    assert_eq!(history[0].kind, EventKind::Revoked);
    assert_eq!(
        history[0].detail.as_deref(),
        Some("found in public at https://github.com/acme/infra/blob/main/telegraf.conf")
    );
    assert_eq!(
        token_refusal(
            Telegraf::new(&server, &leaked.secret)
                .heartbeat(&beat("x"))
                .await
        )
        .await,
        "Token revoked"
    );
    assert_eq!(
        owner.token(safe.token.id).await.status,
        shared::TokenStatus::Active
    );
    // A replay changes nothing more: the token is no longer a working secret.
    let r = server
        .send(post(body.clone(), "key-1", sign(&private, &body)))
        .await;
    let again: Value = expect_json(r, StatusCode::OK).await;
    assert_eq!(again[0]["label"], "false_positive");
}

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
    rotate(&owner, doomed.token.id, Some("PT1H")).await;
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
async fn the_daily_run_purges_what_has_outlived_its_use() {
    let (server, owner) = TestServer::with_owner().await;
    let day = 86_400_000i64;
    let old = now_ms() - 31 * day;
    server.sql(&format!(
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ('expired', '{uid}', {old}, {old}); \
         INSERT INTO signin_failures (username, address, at) VALUES ('someone', '192.0.2.1', {old}); \
         INSERT INTO agents (owner_key, id, version, last_seen) VALUES ('', 'gone', 'Telegraf 1.30', {old}); \
         INSERT INTO agents (owner_key, id, version, last_seen) VALUES ('', 'recent', 'Telegraf 1.30', {recent});",
        uid = owner.user_id(),
        recent = now_ms() - day,
    ));
    let run = server.get("/__scheduled?cron=0+6+*+*+*").await;
    assert!(run.status().is_success());
    wait::until("the purge", Duration::from_secs(20), || async {
        let n = server.sql("SELECT (SELECT COUNT(*) FROM sessions WHERE id_hash = 'expired') + (SELECT COUNT(*) FROM signin_failures) + (SELECT COUNT(*) FROM agents WHERE id = 'gone') AS n");
        (n[0]["n"] == 0).then_some(())
    })
    .await;
    assert_eq!(
        server.sql("SELECT COUNT(*) AS n FROM agents WHERE id = 'recent'")[0]["n"],
        1
    );
    assert_eq!(
        owner.get("/api/auth/me").await.status(),
        StatusCode::OK,
        "live sessions stay"
    );
    wait::until("the run's counts in the log", Duration::from_secs(10), || async {
        server.log().contains("purged 1 expired sessions, 1 old failed sign-ins and password checks, 1 agents not seen for 30 days").then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_agent_lookup_finds_either_secret_through_indexes_alone() {
    let (server, owner) = TestServer::with_owner().await;
    owner.agent_token("planned").await;
    // The lookup's WHERE clause as `db::tokens::SELECT_BY_HASH` has it, planned by this D1.
    let plan = server.sql(
        "EXPLAIN QUERY PLAN SELECT t.id FROM tokens t LEFT JOIN users u ON u.id = t.owner_id \
         WHERE t.token_hash = 'x' OR t.previous_hash = 'x'",
    );
    let steps: Vec<&str> = plan.iter().filter_map(|r| r["detail"].as_str()).collect();
    assert!(steps.iter().any(|s| s.contains("tokens_hash")), "{steps:?}");
    assert!(
        steps.iter().any(|s| s.contains("tokens_previous_hash")),
        "{steps:?}"
    );
    assert!(
        !steps.iter().any(|s| s.starts_with("SCAN")),
        "a scan on the agent path: {steps:?}"
    );
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
