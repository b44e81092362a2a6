//! The audit log's heaviest requests at 10,000 entries, keyed: sealing them, verifying the
//! chain and exporting it, each in one request, with workerd's CPU for each (the README's CPU
//! table: these, not the agent path, decide `[limits] cpu_ms`).

use super::*;

const ENTRIES: u64 = 10_000;

#[tokio::test]
async fn the_audit_log_at_10_000_entries_sealed_verified_and_exported() {
    let server = TestServer::builder()
        .var("AUDIT_KEY", "bench-1:a-bench-key-of-thirty-two-characters!")
        .start()
        .await;
    let owner = server.owner().await;
    server.sql(&format!(
        "INSERT INTO audit_log (at, actor, actor_kind, action, subject_type, subject_id, subject_name, count, detail) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ENTRIES}) \
         SELECT 1767225600000 + i * 1000, 'seeder ' || i, 'user', 'config_updated', 'config', \
         'id-' || i, 'name ' || i, 1, 'line ' || i FROM n"
    ));
    // One request, and the CPU workerd spent on it, in ms.
    let timed = |path: &'static str| {
        let owner = &owner;
        let server = &server;
        async move {
            let before = server.workerd_cpu();
            let started = Instant::now();
            let response = owner.get(path).await;
            assert_eq!(response.status(), 200, "{path}");
            let text = response.text().await.unwrap();
            let wall = started.elapsed();
            let cpu = server.workerd_cpu().saturating_sub(before);
            (
                text,
                cpu.as_secs_f64() * 1000.0,
                wall.as_secs_f64() * 1000.0,
            )
        }
    };
    let (sealed, seal_cpu, seal_wall) = timed("/api/audit/verify").await;
    let (verified, verify_cpu, verify_wall) = timed("/api/audit/verify").await;
    for answer in [&sealed, &verified] {
        let v: Value = serde_json::from_str(answer).unwrap();
        assert_eq!(v["intact"], true, "{v}");
        assert!(v["entries"].as_u64().unwrap() > ENTRIES, "{v}");
        assert!(v["keyedEntries"].as_u64().unwrap() > ENTRIES, "{v}");
    }
    let (exported, export_cpu, export_wall) = timed("/api/audit/export").await;
    assert!(exported.lines().count() as u64 > ENTRIES);
    let (page, page_cpu, page_wall) = timed("/api/audit?limit=50").await;
    assert_eq!(
        serde_json::from_str::<Value>(&page).unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        50
    );

    println!("the audit log at {ENTRIES} entries, keyed (HMAC-SHA-256), one request each:");
    let mut out = json!({ "entries": ENTRIES });
    for (key, label, cpu, wall) in [
        (
            "sealAndVerify",
            "GET /api/audit/verify, sealing all first",
            seal_cpu,
            seal_wall,
        ),
        (
            "verify",
            "GET /api/audit/verify, all sealed",
            verify_cpu,
            verify_wall,
        ),
        (
            "export",
            "GET /api/audit/export (NDJSON, all)",
            export_cpu,
            export_wall,
        ),
        ("page", "GET /api/audit (a page of 50)", page_cpu, page_wall),
    ] {
        println!(
            "  {label:<44} workerd CPU {cpu:>7.0} ms ({:.3} ms an entry), wall {wall:>6.0} ms",
            cpu / ENTRIES as f64
        );
        out[key] = json!({ "cpuMs": cpu, "wallMs": wall, "cpuMsPerEntry": cpu / ENTRIES as f64 });
    }
    record("audit", out);
}
