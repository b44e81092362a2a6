//! Issue 23: an audit export anyone can verify. `GET /api/audit/export` gives every field each
//! entry's hash covers, oldest first; `scripts/verify-audit.mjs`, which knows nothing of this
//! code, recomputes every hash of a 1,000-entry export from the export alone, and names the
//! entry when a single byte of it changed.

use reqwest::StatusCode;
use serde_json::json;
use shared::audit::export::ExportLine;
use std::process::Command;
use tests::{repo_root, Actor, TestServer};

/// Runs the verification program on `export`: its exit success and what it printed.
fn verify(export: &str) -> (bool, String) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), export).unwrap();
    let out = Command::new("node")
        .arg(repo_root().join("scripts/verify-audit.mjs"))
        .arg(file.path())
        .output()
        .expect("node runs the verification program");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

async fn export(owner: &Actor, query: &str, accept: &str) -> reqwest::Response {
    let request = owner
        .request(reqwest::Method::GET, &format!("/api/audit/export{query}"))
        .header("Accept", accept);
    owner.send(request).await
}

/// 1,000 entries written as the worker would leave them before sealing (with quotes,
/// newlines and non-ASCII in their texts), beside real ones by a person and by a token.
async fn a_long_log() -> (TestServer, Actor) {
    let (server, owner) = TestServer::with_owner().await;
    let by_token = owner.token_actor("scripted", "tokens:*").await;
    by_token
        .create_token(json!({"name": "made by a token, \"quoted\"", "permissions": "tokens:read"}))
        .await;
    server.sql(
        "INSERT INTO audit_log (at, actor, actor_kind, action, subject_type, subject_id, subject_name, count, detail) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) \
         SELECT 1767225600000 + i * 1000, 'seeder ' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'user' END, \
         'config_updated', 'config', 'id-' || i, 'n\u{e4}me \"' || i || '\"', i % 3 + 1, \
         CASE WHEN i % 5 = 0 THEN NULL ELSE 'line ' || i || char(10) || '\u{2192} ok' END FROM n",
    );
    (server, owner)
}

#[tokio::test]
async fn the_verification_program_recomputes_every_hash_and_names_a_changed_byte() {
    let (_server, owner) = a_long_log().await;
    let answer = export(&owner, "", "application/x-ndjson").await;
    assert_eq!(answer.status(), StatusCode::OK);
    let kind = answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("application/x-ndjson"), "{kind}");
    let text = answer.text().await.unwrap();
    let lines: Vec<ExportLine> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() > 1_000, "{}", lines.len());
    assert!(
        lines.windows(2).all(|w| w[0].seq < w[1].seq),
        "oldest first"
    );
    assert!(
        lines.iter().any(|l| l.actor_digest.len() == 64),
        "a token's reference"
    );

    let (ok, said) = verify(&text);
    assert!(ok, "{said}");
    assert!(
        said.starts_with(&format!("{} entries verified", lines.len())),
        "{said}"
    );

    // One byte changed: in an entry's actor, then in another's hash.
    let target = &lines[500];
    let needle = format!("\"actor\":\"{}\"", target.actor);
    assert!(text.contains(&needle));
    let changed = text.replacen(&needle, &needle.replacen("seeder", "seedes", 1), 1);
    assert_eq!(changed.len(), text.len());
    let (ok, said) = verify(&changed);
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!(
            "broken at seq {}: its content does not match its hash",
            target.seq
        )),
        "{said}"
    );
    let later = &lines[777];
    let hash = &later.hash;
    let flipped = format!(
        "{}{}",
        if hash.starts_with('0') { '1' } else { '0' },
        &hash[1..]
    );
    let changed = text.replacen(
        &format!("\"hash\":\"{hash}\""),
        &format!("\"hash\":\"{flipped}\""),
        1,
    );
    let (ok, said) = verify(&changed);
    assert!(!ok, "{said}");
    assert!(said.contains(&format!("seq {}", later.seq)), "{said}");

    // An entry taken out breaks the link at the one after it.
    let without: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 300)
        .map(|(_, l)| l)
        .collect();
    let (ok, said) = verify(&without.join("\n"));
    assert!(
        !ok && said.contains(&format!("seq {}", lines[301].seq)),
        "{said}"
    );
}

#[tokio::test]
async fn an_export_starts_where_asked_and_comes_as_csv_too() {
    let (_server, owner) = a_long_log().await;
    let all = export(&owner, "", "*/*").await.text().await.unwrap();
    let head_before: Vec<ExportLine> = all
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let from = head_before[989].seq;
    let part = export(&owner, &format!("?from={from}"), "*/*")
        .await
        .text()
        .await
        .unwrap();
    let (ok, said) = verify(&part);
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("starts after {}", head_before[988].hash)),
        "the part links to the entry before it: {said}"
    );
    assert_eq!(part.lines().count(), head_before.len() - 989);

    let csv = export(&owner, "?from=1", "text/csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with(ExportLine::CSV_HEADER), "{}", &csv[..200]);
    assert_eq!(csv.matches("\r\n").count(), head_before.len() + 1);

    for bad in ["?from=0", "?from=x", "?since=3"] {
        let refused = export(&owner, bad, "*/*").await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}
