//! Bulk actions and the token detail view in the browser.

use fantoccini::Locator;
use serde_json::json;
use tests::{wait, Browser, TestServer};

#[tokio::test]
async fn bulk_delete_two_selected_tokens_with_a_counted_confirmation() {
    let (server, owner) = TestServer::with_owner().await;
    for name in ["keep me", "drop one", "drop two"] {
        owner.create_token(json!({"name": name})).await;
    }
    let browser = Browser::start().await;
    browser.sign_in(&server, "owner").await;
    browser.wait_for_text("drop two", true).await;
    browser.find("input[aria-label='Select drop one']").await;

    browser
        .click_css("input[aria-label='Select drop one']")
        .await;
    browser
        .click_css("input[aria-label='Select drop two']")
        .await;
    let bar = browser.find("[data-testid=bulk-bar]").await;
    assert!(bar.text().await.unwrap().contains("2 selected"));
    bar.find(Locator::XPath(".//button[normalize-space(.)='Delete']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let dialog = browser.find("dialog[open]").await;
    let text = dialog.text().await.unwrap();
    assert!(
        text.contains("Delete 2 tokens?")
            && text.contains("drop one")
            && text.contains("cannot be undone"),
        "{text}"
    );
    let confirm = browser
        .find("dialog[open] [data-testid=confirm-action]")
        .await;
    assert_eq!(confirm.text().await.unwrap(), "Delete 2 tokens");
    confirm.click().await.unwrap();
    browser.wait_for_text("Deleted 2 tokens", true).await;
    let names: Vec<String> = owner
        .tokens("")
        .await
        .items
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, vec!["keep me"]);
    browser.wait_for_text("drop one", false).await;
    browser.close().await;
}

#[tokio::test]
async fn the_detail_view_revokes_through_the_manage_tab() {
    let (server, owner) = TestServer::with_owner().await;
    let created = owner
        .create_token(json!({"name": "inspect me", "permissions": "configs:read,agents:read"}))
        .await;
    let browser = Browser::start().await;
    browser.sign_in(&server, "owner").await;
    let link = browser
        .client()
        .wait()
        .at_most(tests::browser::UI_TIMEOUT)
        .for_element(Locator::LinkText("inspect me"))
        .await;
    link.expect("the token's name links to its detail view")
        .click()
        .await
        .unwrap();
    browser.wait_for_text(&created.token.hint, true).await;
    assert!(browser
        .client()
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with(&created.token.id.to_string()));

    browser.click_css("#tab-permissions").await;
    browser
        .wait_for_text("cannot be changed after creation", true)
        .await;
    browser.click_css("#tab-history").await;
    let history = browser.find("[data-testid=history]").await;
    assert!(history.text().await.unwrap().contains("Created"));

    browser.click_css("#tab-manage").await;
    browser.click("Revoke token").await;
    browser
        .click_css("dialog[open] [data-testid=confirm-action]")
        .await;
    browser
        .wait_for_text("It no longer authenticates", true)
        .await;
    let token = &owner.tokens("").await.items[0];
    assert_eq!(token.status, shared::TokenStatus::Revoked);
    wait::until(
        "the badge to say revoked",
        tests::browser::UI_TIMEOUT,
        || async {
            browser
                .page_text()
                .await
                .contains("Already revoked")
                .then_some(())
        },
    )
    .await;
    browser.close().await;
}
