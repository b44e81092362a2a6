//! Issue 23: a keyed audit chain. With `AUDIT_KEY`, each hash is an HMAC-SHA-256 under the
//! current key and the entry records the key's id; keys rotate (older ids still verify); a
//! chain rewritten with the database alone, re-hashed without the key, fails verification at
//! its first rewritten entry; a malformed key is a 503 naming it, never a silent fall back.

use reqwest::StatusCode;
use serde_json::json;
use shared::audit::export::ExportLine;
use shared::audit::AuditVerification;
use std::process::Command;
use tests::answers::expect_error;
use tests::{repo_root, Actor, TestServer};

const K1: &str = "k1:first-audit-key-0123456789abcdef0123456789";
const K2: &str = "k2:second-audit-key-0123456789abcdef012345678";

async fn verified(owner: &Actor) -> AuditVerification {
    owner.get_json("/api/audit/verify").await
}

async fn exported(owner: &Actor) -> String {
    owner.get("/api/audit/export").await.text().await.unwrap()
}

/// The verification program on an export, with these keys in its environment.
fn program(export: &str, keys: Option<&str>) -> (bool, String) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), export).unwrap();
    let mut command = Command::new("node");
    command
        .arg(repo_root().join("scripts/verify-audit.mjs"))
        .arg(file.path())
        .env_remove("AUDIT_KEY");
    if let Some(keys) = keys {
        command.env("AUDIT_KEY", keys);
    }
    let out = command.output().expect("node runs");
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said)
}

#[tokio::test]
async fn a_keyed_chain_verifies_with_its_keys_rotates_and_refuses_a_rewrite_without_them() {
    let mut server = TestServer::builder().var("AUDIT_KEY", K1).start().await;
    let owner = server.owner().await;
    for n in 0..4 {
        owner.create_config(&format!("site {n}"), "[agent]\n").await;
    }
    let first = verified(&owner).await;
    assert!(first.intact, "{first:?}");
    assert_eq!(first.key_id.as_deref(), Some("k1"));
    assert_eq!(first.keyed_entries, first.entries);
    assert!(first.entries >= 5);

    // The export verifies anywhere with the key, and not without it.
    let export = exported(&owner).await;
    let (ok, said) = program(&export, Some(K1));
    assert!(ok, "{said}");
    let (ok, said) = program(&export, None);
    assert!(
        !ok && said.contains("broken at seq 1") && said.contains("\"k1\""),
        "{said}"
    );

    // Rotation: k2 seals from now on, k1 still checks what it sealed.
    server
        .restart(&[("AUDIT_KEY", &format!("{K2},{K1}"))])
        .await;
    let owner = owner.rebased(&server);
    owner.create_config("after rotation", "[agent]\n").await;
    let rotated = verified(&owner).await;
    assert!(rotated.intact, "{rotated:?}");
    assert_eq!(rotated.key_id.as_deref(), Some("k2"));
    assert_eq!(rotated.keyed_entries, rotated.entries);
    let lines: Vec<ExportLine> = exported(&owner)
        .await
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.last().unwrap().key_id.as_deref(), Some("k2"));
    assert_eq!(lines[0].key_id.as_deref(), Some("k1"));
    let (ok, said) = program(&exported(&owner).await, Some(&format!("{K2},{K1}")));
    assert!(ok, "{said}");

    // k1 dropped too early: its entries are named, not passed.
    server.restart(&[("AUDIT_KEY", K2)]).await;
    let owner = owner.rebased(&server);
    let without_k1 = verified(&owner).await;
    assert_eq!(without_k1.broken_at, Some(lines[0].seq));
    assert!(
        without_k1.problem.as_deref().unwrap().contains("\"k1\""),
        "{without_k1:?}"
    );

    // Someone with the database alone: triggers dropped, entry 3's detail changed, and the
    // chain from there re-hashed, consistently, but without the key.
    server
        .restart(&[("AUDIT_KEY", &format!("{K2},{K1}"))])
        .await;
    let owner = owner.rebased(&server);
    let victim = lines[2].seq;
    let mut prev = lines[1].hash.clone();
    let mut updates = vec!["DROP TRIGGER audit_append_only".to_owned()];
    for line in lines.iter().skip(2) {
        let mut line = line.clone();
        if line.seq == victim {
            line.detail = Some("nothing happened here".into());
        }
        line.prev_hash = prev.clone();
        line.key_id = None;
        line.hash = line.sealed().hash(&prev);
        updates.push(format!(
            "UPDATE audit_log SET detail = {}, prev_hash = '{}', hash = '{}', key_id = NULL WHERE seq = {}",
            line.detail.as_deref().map_or("NULL".to_owned(), |d| format!("'{}'", d.replace('\'', "''"))),
            line.prev_hash,
            line.hash,
            line.seq
        ));
        prev = line.hash.clone();
    }
    server.sql(&updates.join("; "));
    let rewritten = verified(&owner).await;
    assert_eq!(rewritten.broken_at, Some(victim), "{rewritten:?}");
    assert!(
        rewritten
            .problem
            .as_deref()
            .unwrap()
            .contains("re-hashed without AUDIT_KEY"),
        "{rewritten:?}"
    );
    let (ok, said) = program(&exported(&owner).await, Some(&format!("{K2},{K1}")));
    assert!(!ok && said.contains(&format!("seq {victim}")), "{said}");
}

#[tokio::test]
async fn a_malformed_key_is_a_503_naming_it_and_nothing_is_sealed_without_it() {
    let mut server = TestServer::builder()
        .var("AUDIT_KEY", "k1:tiny5")
        .start()
        .await;
    let owner = server.owner().await;
    // Everything else answers; the change is recorded, waiting to be sealed.
    owner.create_config("edge", "[agent]\n").await;
    assert_eq!(owner.get("/api/tokens").await.status(), StatusCode::OK);
    for path in ["/api/audit", "/api/audit/verify", "/api/audit/export"] {
        let message = expect_error(
            owner.get(path).await,
            StatusCode::SERVICE_UNAVAILABLE,
            "misconfigured",
        )
        .await;
        assert!(
            message.starts_with("AUDIT_KEY is malformed") && !message.contains("tiny5"),
            "{path}: {message}"
        );
    }
    let unsealed = server.sql("SELECT COUNT(*) AS n FROM audit_log WHERE hash IS NULL");
    assert!(unsealed[0]["n"].as_i64().unwrap() >= 2, "{unsealed:?}");

    server.restart(&[("AUDIT_KEY", K1)]).await;
    let owner = owner.rebased(&server);
    let fixed = verified(&owner).await;
    assert!(
        fixed.intact && fixed.keyed_entries == fixed.entries,
        "{fixed:?}"
    );
    let body = json!({"name": "after the fix", "toml": "[agent]\n"});
    assert_eq!(
        owner.post("/api/configs", &body).await.status(),
        StatusCode::CREATED
    );
}
