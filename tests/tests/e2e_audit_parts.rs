//! "Verify chain" on a log longer than one request checks (`VERIFY_PAGE`): the page asks for
//! part after part, counting as it goes, and says what one pass would; in headless Chromium
//! against the real worker.

use std::time::Duration;
use tests::{wait, Browser, TestServer};

#[tokio::test]
async fn verify_chain_checks_a_long_log_part_after_part() {
    let (server, owner) = TestServer::with_owner().await;
    let page = u64::from(shared::audit::VERIFY_PAGE);
    tests::audit::seed(&server, page + 300);
    tests::audit::seal_all(&server, &owner).await;
    // What the parts say, asked of the API as the page asks them.
    let first: shared::audit::AuditVerification = owner.get_json("/api/audit/verify").await;
    let next = first.next.expect("a log longer than one part");
    let second: shared::audit::AuditVerification = owner
        .get_json(&format!(
            "/api/audit/verify?after={next}&head={}",
            first.head.clone().unwrap()
        ))
        .await;
    let whole = first.then(second);
    assert!(whole.intact && whole.entries > page, "{whole:?}");

    let browser = Browser::signed_in(&server, "owner", "/audit").await;
    browser.find("[data-testid=audit-row]").await;
    browser.click("Verify chain").await;
    let said = format!("Intact: {} entries", whole.entries);
    wait::until(&said, Duration::from_secs(30), || async {
        let text = browser
            .script("return document.querySelector('[data-testid=verify-result]').textContent")
            .await;
        text.as_str()
            .is_some_and(|t| t.starts_with(&said))
            .then_some(())
    })
    .await;
    let head = browser.text_of("[data-testid=verify-head]").await;
    assert_eq!(Some(head), whole.head, "the last part's head");
}
