//! The audit log's heaviest requests at 10,000 entries, keyed: sealing a backlog, verifying
//! the chain and exporting it, each a bounded part per request, with workerd's CPU for each
//! request (the README's CPU table: these, with sign-in, decide `[limits] cpu_ms`).

use super::*;

const ENTRIES: u64 = 10_000;

/// One request and what workerd spent on it: its answer, its headers' `Link`, CPU ms.
async fn measured(server: &TestServer, owner: &Actor, path: &str) -> (String, Option<String>, f64) {
    let before = server.workerd_cpu();
    let response = owner.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    let link = response
        .headers()
        .get("link")
        .map(|l| l.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    let cpu = server.workerd_cpu().saturating_sub(before);
    (text, link, cpu.as_secs_f64() * 1000.0)
}

/// The most and the sum of a run of requests' CPU, in ms.
fn most_and_sum(cpu: &[f64]) -> (f64, f64) {
    (cpu.iter().copied().fold(0.0, f64::max), cpu.iter().sum())
}

#[tokio::test]
async fn the_audit_log_at_10_000_entries_sealed_verified_and_exported() {
    let server = TestServer::builder()
        .var("AUDIT_KEY", "bench-1:a-bench-key-of-thirty-two-characters!")
        .start()
        .await;
    let owner = server.owner().await;
    tests::audit::seed(&server, ENTRIES);
    let unsealed = || {
        server.sql("SELECT COUNT(*) AS n FROM audit_log WHERE hash IS NULL")[0]["n"]
            .as_i64()
            .unwrap()
    };
    // The backlog, sealed a part per page request.
    let mut sealing = Vec::new();
    while unsealed() > 0 {
        sealing.push(measured(&server, &owner, "/api/audit?limit=50").await.2);
    }
    // Verified in parts.
    let mut verifying = Vec::new();
    let mut path = "/api/audit/verify".to_owned();
    let mut whole: Option<shared::audit::AuditVerification> = None;
    loop {
        let (text, _, cpu) = measured(&server, &owner, &path).await;
        verifying.push(cpu);
        let part: shared::audit::AuditVerification = serde_json::from_str(&text).unwrap();
        let joined = match whole.take() {
            Some(before) => before.then(part),
            None => part,
        };
        match (joined.next, joined.head.clone()) {
            (Some(after), Some(head)) => {
                path = format!("/api/audit/verify?after={after}&head={head}");
                whole = Some(joined);
            }
            _ => {
                whole = Some(joined);
                break;
            }
        }
    }
    let whole = whole.unwrap();
    assert!(whole.intact && whole.entries > ENTRIES, "{whole:?}");
    // Exported in parts.
    let mut exporting = Vec::new();
    let mut lines = 0;
    let mut path = "/api/audit/export".to_owned();
    loop {
        let (text, link, cpu) = measured(&server, &owner, &path).await;
        exporting.push(cpu);
        lines += text.lines().count() as u64;
        match link {
            Some(link) => path = link.split(['<', '>']).nth(1).unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(lines, whole.entries);
    let (page, _, page_cpu) = measured(&server, &owner, "/api/audit?limit=50").await;
    assert_eq!(
        serde_json::from_str::<Value>(&page).unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        50
    );

    println!("the audit log at {ENTRIES} entries, keyed (HMAC-SHA-256), workerd CPU per request:");
    let mut out = json!({ "entries": ENTRIES });
    for (key, label, cpu) in [
        ("seal", "sealing the backlog, a part per request", &sealing),
        (
            "verify",
            "GET /api/audit/verify, a part per request",
            &verifying,
        ),
        (
            "export",
            "GET /api/audit/export, a part per request",
            &exporting,
        ),
        (
            "page",
            "GET /api/audit (a page of 50), all sealed",
            &vec![page_cpu],
        ),
    ] {
        let (most, sum) = most_and_sum(cpu);
        println!(
            "  {label:<44} {:>3} requests, the most {most:>5.0} ms, {:.3} ms an entry",
            cpu.len(),
            sum / ENTRIES as f64
        );
        out[key] = json!({ "requests": cpu.len(), "mostCpuMs": most, "cpuMsPerEntry": sum / ENTRIES as f64 });
    }
    record("audit", out);
}
