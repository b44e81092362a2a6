use serde_json::json;
use tests::{Browser, TestServer};
const PROBE: &str = "new MutationObserver((_, seen) => { \
    if (document.querySelector('[data-testid=tokens-table] tbody tr')) { \
        window.firstRowAt = performance.now(); seen.disconnect(); } \
}).observe(document, { childList: true, subtree: true }); \
addEventListener('TrunkApplicationStarted', () => { window.startedAt = performance.now(); });";
#[tokio::test]
async fn timeline() {
    let (server, owner) = TestServer::with_owner().await;
    server.seed_tokens(owner.user_id(), 1, 206, "seed");
    let browser = Browser::start().await;
    browser.sign_in(&server, "owner").await;
    browser
        .devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": PROBE }),
        )
        .await;
    browser.devtools("Network.enable", json!({})).await;
    browser.devtools("Network.emulateNetworkConditions", json!({ "offline": false, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8 })).await;
    browser
        .devtools("Emulation.setCPUThrottlingRate", json!({ "rate": 4 }))
        .await;
    for _ in 0..2 {
        browser
            .devtools("Network.clearBrowserCache", json!({}))
            .await;
        browser.client().goto(&server.url("/tokens")).await.unwrap();
        loop {
            if browser
                .script("return window.firstRowAt ?? null")
                .await
                .is_number()
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let t = browser.script("return [window.startedAt, window.firstRowAt, performance.getEntriesByType('mark').map(m => [m.name, Math.round(m.startTime)]), performance.getEntriesByType('resource').filter(e => e.name.includes('wasm')).map(e => Math.round(e.responseEnd))]").await;
        println!("{}", t);
    }
    browser.close().await;
}
