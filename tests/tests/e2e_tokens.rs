//! The API Tokens page in headless Chromium, served by the real worker from wrangler dev.

use fantoccini::Locator;
use shared::token::TokenSecret;
use tests::{wait, Browser, TestServer};

async fn focus_is_inside_a_dialog(browser: &Browser) -> bool {
    let script =
        "return !!(document.activeElement && document.activeElement.closest('dialog[open]'));";
    browser
        .client()
        .execute(script, vec![])
        .await
        .unwrap()
        .as_bool()
        .unwrap_or(false)
}

async fn open_dialogs(browser: &Browser) -> usize {
    browser
        .client()
        .find_all(Locator::Css("dialog[open]"))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn create_a_token_see_its_secret_once_then_delete_it_through_the_dialog() {
    let (server, owner) = TestServer::with_owner().await;
    let browser = Browser::start().await;
    let client = browser.client();
    browser.sign_in(&server, "owner").await;

    browser.open(server.base()).await;
    browser.wait_for_text("No API tokens yet.", true).await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/tokens"),
        "/ leads to the tokens page"
    );

    // Create.
    browser.click("+ Create API Token").await;
    let name_field = browser.find("dialog[open] input#token-name").await;
    assert!(
        focus_is_inside_a_dialog(&browser).await,
        "the dialog takes the focus"
    );
    name_field.send_keys("e2e agent").await.unwrap();
    browser.click("Create Token").await;
    let secret_text = browser
        .find("[data-testid=new-token-secret]")
        .await
        .text()
        .await
        .unwrap();
    let secret =
        TokenSecret::parse(secret_text.trim()).expect("the dialog shows a well-formed secret");
    browser.wait_for_text("cannot be shown again", true).await;
    // Done before the secret was copied asks first; going back keeps the secret on screen.
    browser.click("Done").await;
    browser
        .wait_for_text("You have not copied this token. Close anyway?", true)
        .await;
    browser.click("Go back").await;
    browser.find("[data-testid=new-token-secret]").await;
    browser.click("Done").await;
    browser.click("Close anyway").await;
    browser.find("[data-testid=token-row]").await;
    browser.wait_for_text("e2e agent", true).await;
    assert!(
        !browser.page_text().await.contains(&secret.expose()[9..]),
        "the secret is gone once the dialog closes"
    );
    let listed = owner.tokens("").await;
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].name, "e2e agent");
    assert!(
        browser.page_text().await.contains(&listed.items[0].hint),
        "the row shows the hint"
    );

    // Escape cancels the delete dialog and deletes nothing.
    browser.click("Delete token e2e agent").await;
    browser.find("dialog[open]").await;
    browser.press_escape().await;
    wait::until(
        "the dialog to close on Escape",
        tests::browser::UI_TIMEOUT,
        || async { (open_dialogs(&browser).await == 0).then_some(()) },
    )
    .await;
    assert_eq!(owner.tokens("").await.total, 1);

    // Delete, confirmed.
    browser.click("Delete token e2e agent").await;
    let dialog = browser.find("dialog[open]").await;
    let warning = dialog.text().await.unwrap();
    assert!(
        warning.contains("permanent") && warning.contains("cannot be undone"),
        "{warning}"
    );
    browser
        .click_css("dialog[open] [data-testid=confirm-action]")
        .await;
    browser.wait_for_text("No API tokens yet.", true).await;
    assert_eq!(open_dialogs(&browser).await, 0);
    assert!(
        client
            .find(Locator::Css("[data-testid=token-row]"))
            .await
            .is_err(),
        "the row is gone"
    );
    browser
        .wait_for_text("Deleted \u{201c}e2e agent\u{201d}", true)
        .await;
    assert_eq!(owner.tokens("").await.total, 0, "the API agrees it is gone");

    browser.close().await;
}

#[tokio::test]
async fn a_duplicate_name_is_explained_in_the_dialog() {
    let (server, owner) = TestServer::with_owner().await;
    owner
        .create_token(serde_json::json!({"name": "taken"}))
        .await;
    let browser = Browser::start().await;
    browser.sign_in(&server, "owner").await;
    browser.open(&server.url("/tokens")).await;
    browser.find("[data-testid=token-row]").await;

    browser.click("+ Create API Token").await;
    browser.fill("dialog[open] input#token-name", "taken").await;
    browser.click("Create Token").await;
    browser.wait_for_text("already exists", true).await;
    assert_eq!(
        open_dialogs(&browser).await,
        1,
        "the dialog stays open to fix the name"
    );
    // The message stands beside the field it is about, and the field says it is invalid.
    let beside = browser
        .find("#token-name-error")
        .await
        .text()
        .await
        .unwrap();
    assert!(beside.contains("already exists"), "{beside}");
    let field = browser.find("input#token-name").await;
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    // Our own check speaks of the field by its label.
    browser.fill("dialog[open] input#token-name", " ").await;
    browser.click("Create Token").await;
    browser
        .wait_for_text("Description is required.", true)
        .await;
    assert_eq!(owner.tokens("").await.total, 1);
    browser.close().await;
}

#[tokio::test]
async fn escape_on_an_uncopied_secret_asks_before_the_secret_is_gone() {
    let (server, owner) = TestServer::with_owner().await;
    let browser = Browser::start().await;
    browser.sign_in(&server, "owner").await;
    browser.open(&server.url("/tokens")).await;
    browser.click("+ Create API Token").await;
    browser
        .fill("dialog[open] input#token-name", "escape hatch")
        .await;
    browser.click("Create Token").await;
    browser.find("[data-testid=new-token-secret]").await;

    browser.press_escape().await;
    browser.find("[data-testid=confirm-close]").await;
    assert_eq!(
        open_dialogs(&browser).await,
        1,
        "Escape alone does not close it"
    );
    assert!(
        browser.page_text().await.contains("tc-apiv1_"),
        "the secret is still there"
    );
    browser.click("Close anyway").await;
    wait::until(
        "the dialog to close",
        tests::browser::UI_TIMEOUT,
        || async { (open_dialogs(&browser).await == 0).then_some(()) },
    )
    .await;
    assert_eq!(
        owner.tokens("").await.total,
        1,
        "the token exists either way"
    );
    browser.close().await;
}

/// A search common in its parts but rare as a whole looks through a stretch of the list per
/// request: the page says how far it looked and goes on when asked.
#[tokio::test]
async fn a_search_that_walks_the_list_goes_on_when_asked() {
    let (server, owner) = TestServer::with_owner().await;
    server.seed_tokens(owner.user_id(), 1, 1, "words common");
    server.seed_tokens(owner.user_id(), 2, 2_600, "common words");
    let browser = Browser::signed_in(&server, "owner", "/tokens?q=words%20common").await;
    browser
        .wait_for_text("No match among the 2,000 tokens looked at so far.", true)
        .await;
    browser.click("Search further").await;
    browser.wait_for_text("words common 1", true).await;
    let rows = browser
        .script("return document.querySelectorAll('[data-testid=token-row]').length")
        .await;
    assert_eq!(rows, serde_json::json!(1));
    assert!(!browser.page_text().await.contains("Search further"));
    browser.close().await;
}
