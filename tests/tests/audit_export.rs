//! Issue 23: an audit export anyone can verify. `GET /api/audit/export` gives every field each
//! entry's hash covers, oldest first; `scripts/verify-audit.mjs`, which knows nothing of this
//! code, recomputes every hash of a 1,000-entry export from the export alone, and names the
//! entry when a single byte of it changed.

use reqwest::StatusCode;
use serde_json::json;
use shared::audit::export::ExportLine;
use std::process::Command;
use tests::audit::seal_all;
use tests::{repo_root, Actor, TestServer};

/// Runs the verification program on `export`: its exit success and what it printed.
fn verify(export: &str) -> (bool, String) {
    verify_keyed(export, None)
}

/// The same, for a keyed chain: the program gets the keys as the worker does (`AUDIT_KEY`).
fn verify_keyed(export: &str, keys: Option<&str>) -> (bool, String) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), export).unwrap();
    let mut program = Command::new("node");
    program
        .arg(repo_root().join("scripts/verify-audit.mjs"))
        .arg(file.path())
        .env_remove("AUDIT_KEY");
    if let Some(keys) = keys {
        program.env("AUDIT_KEY", keys);
    }
    let out = program
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
    seal_all(&server, &owner).await;
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

/// A keyed log longer than one request checks or exports (`VERIFY_PAGE`): sealed a bounded
/// part per request, verified in parts that join into one pass (and refuse a part that does
/// not link to the head given), exported in parts that `Link` to the next, whose concatenation
/// the verification program checks whole.
#[tokio::test]
async fn a_log_longer_than_one_request_is_sealed_verified_and_exported_in_parts() {
    const KEY: &str = "parts-1:a-key-for-a-long-log-0123456789abcdef";
    let page = i64::from(shared::audit::VERIFY_PAGE);
    let server = TestServer::builder().var("AUDIT_KEY", KEY).start().await;
    let owner = server.owner().await;
    tests::audit::seed(&server, page as u64 + 1200);
    let requests = seal_all(&server, &owner).await;
    assert!(requests >= 15, "{requests}");
    let total = server.sql("SELECT MAX(seq) AS n FROM audit_log")[0]["n"]
        .as_i64()
        .unwrap();

    let first: shared::audit::AuditVerification = owner.get_json("/api/audit/verify").await;
    assert!(first.intact, "{first:?}");
    assert_eq!((first.entries, first.next), (page as u64, Some(page)));
    let head = first.head.clone().unwrap();
    let second: shared::audit::AuditVerification = owner
        .get_json(&format!("/api/audit/verify?after={page}&head={head}"))
        .await;
    assert!(second.intact, "{second:?}");
    assert_eq!(second.next, None);
    let whole = first.then(second);
    assert_eq!(whole.entries, total as u64);
    assert_eq!(
        whole.keyed_entries, total as u64,
        "every entry keyed, the later part's too"
    );
    // A part that does not link to the head given breaks at its first entry.
    let unlinked: shared::audit::AuditVerification = owner
        .get_json(&format!(
            "/api/audit/verify?after={page}&head={}",
            "0".repeat(64)
        ))
        .await;
    assert_eq!(
        (unlinked.intact, unlinked.broken_at),
        (false, Some(page + 1))
    );
    for query in [
        format!("after={page}"),
        format!("head={head}"),
        format!("after=0&head={head}"),
        format!("after={page}&head=XYZ"),
    ] {
        let answer = owner.get(&format!("/api/audit/verify?{query}")).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{query}");
    }

    // The export in parts, each naming the next; together, what the program verifies.
    let mut joined = String::new();
    let mut query = String::new();
    let mut parts = 0;
    loop {
        let answer = export(&owner, &query, "application/x-ndjson").await;
        assert_eq!(answer.status(), StatusCode::OK);
        let next = answer
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let text = answer.text().await.unwrap();
        assert!(text.lines().count() as i64 <= page);
        joined.push_str(&text);
        parts += 1;
        match next {
            Some(link) => {
                let from = link
                    .split("from=")
                    .nth(1)
                    .unwrap()
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned();
                assert_eq!(from.parse::<i64>().unwrap(), page * parts + 1, "{link}");
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                query = format!("?from={from}");
            }
            None => break,
        }
    }
    assert_eq!(parts, 2);
    assert_eq!(joined.lines().count() as i64, total);
    let (ok, said) = verify_keyed(&joined, Some(KEY));
    assert!(ok, "{said}");
}
