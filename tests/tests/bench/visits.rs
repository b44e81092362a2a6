//! A first visit on a slow link against unthrottled.

use super::*;

/// Runs in every new document: notes when the token table's first row appears, in
/// milliseconds from the start of the navigation (`performance.now()`).
const FIRST_ROW_PROBE: &str = "new MutationObserver((_, seen) => { \
    if (document.querySelector('[data-testid=tokens-table] tbody tr')) { \
        window.firstRowAt = performance.now(); seen.disconnect(); } \
}).observe(document, { childList: true, subtree: true });";

/// One visit of /tokens: from navigation to the first row, in ms, and the bytes transferred.
async fn visit_tokens(browser: &Browser, server: &TestServer, cold: bool) -> (f64, f64) {
    if cold {
        browser
            .devtools("Network.clearBrowserCache", json!({}))
            .await;
    }
    browser.open(&server.url("/tokens")).await;
    let started = Instant::now();
    loop {
        let at = browser.script("return window.firstRowAt ?? null").await;
        if let Some(ms) = at.as_f64() {
            let rows = browser
                .script("return document.querySelectorAll('[data-testid=tokens-table] tbody tr').length")
                .await;
            assert_eq!(rows.as_u64(), Some(50), "the first page of tokens is shown");
            let bytes = browser
                .script(
                    "return performance.getEntriesByType('navigation') \
                       .concat(performance.getEntriesByType('resource')) \
                       .reduce((n, e) => n + (e.transferSize || 0), 0)",
                )
                .await;
            return (ms, bytes.as_f64().unwrap_or(0.0));
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no token row within a minute"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The median of `runs` visits (cold: the browser's cache emptied before each).
async fn visits(browser: &Browser, server: &TestServer, cold: bool, runs: usize) -> (f64, f64) {
    let mut all = Vec::new();
    for _ in 0..runs {
        all.push(visit_tokens(browser, server, cold).await);
    }
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    all[runs / 2]
}

/// Issue 20: the first visit of the token list (cache empty) and a revisit (cache warm), each
/// from navigation to the first row, unthrottled and on a slow link as DevTools emulates one:
/// 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up and the CPU four times slower.
#[tokio::test]
async fn first_visit_on_a_slow_link_against_unthrottled() {
    let (server, owner) = TestServer::with_owner().await;
    server.seed_tokens(owner.user_id(), 1, 206, "seed");
    let browser = Browser::start().await;
    browser.sign_in(&server, "owner").await;
    browser
        .devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": FIRST_ROW_PROBE }),
        )
        .await;
    let runs = 3;
    let fast_first = visits(&browser, &server, true, runs).await;
    let fast_again = visits(&browser, &server, false, runs).await;
    browser.devtools("Network.enable", json!({})).await;
    browser
        .devtools(
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": 150,
                    "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8 }),
        )
        .await;
    browser
        .devtools("Emulation.setCPUThrottlingRate", json!({ "rate": 4 }))
        .await;
    let slow_first = visits(&browser, &server, true, runs).await;
    let slow_again = visits(&browser, &server, false, runs).await;
    browser.close().await;

    println!("first row of /tokens (206 tokens, 50 shown), median of {runs} visits:");
    let mut out = json!({});
    for (key, label, (ms, bytes), base) in [
        (
            "unthrottledFirst",
            "unthrottled, first visit",
            fast_first,
            fast_first,
        ),
        (
            "unthrottledRevisit",
            "unthrottled, revisit",
            fast_again,
            fast_first,
        ),
        (
            "slowFirst",
            "slow link and CPU x4, first visit",
            slow_first,
            fast_first,
        ),
        (
            "slowRevisit",
            "slow link and CPU x4, revisit",
            slow_again,
            fast_again,
        ),
    ] {
        let ratio = ms / base.0;
        println!(
            "  {label:<36} {ms:>7.0} ms  {:>6.1} KB transferred  x{ratio:.2} of unthrottled",
            bytes / 1024.0
        );
        out[key] = json!({ "ms": ms, "bytesTransferred": bytes, "ratioToUnthrottled": ratio });
    }
    out["aim"] = json!({ "slowFirstMs": 2000, "slowRevisitMs": 800 });
    record("firstVisit", out);
}
