//! Sign-in in the browser: first-run setup, sign-out and the redirect, and what a Manager sees.

use serde_json::json;
use tests::{Browser, TestServer, PASSWORD};

#[tokio::test]
async fn first_run_setup_then_sign_out_and_back_in() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    let client = browser.client();

    // No users yet: any page leads to the owner setup.
    browser.open(&server.url("/tokens")).await;
    browser
        .wait_for_text("Create the owner account", true)
        .await;
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/setup"));
    browser.fill("#setup-username", "founder").await;
    browser.fill("#setup-display-name", "Fran Founder").await;
    browser.fill("#setup-password", PASSWORD).await;
    browser.fill("#setup-confirm", PASSWORD).await;
    browser.click("Create owner account").await;

    let text = browser.whoami().await;
    assert!(
        text.contains("Fran Founder") && text.contains("Owner"),
        "{text}"
    );
    browser.wait_for_text("No API tokens yet.", true).await;
    assert!(!server.setup_required().await);

    // Signing out lands on sign-in, and the session is really gone.
    browser.click("Sign out").await;
    browser.find("#signin-username").await;
    browser.open(&server.url("/tokens")).await;
    browser.find("#signin-username").await;
    let url = client.current_url().await.unwrap();
    assert_eq!(url.path(), "/signin");
    assert_eq!(
        url.query(),
        Some("next=%2Ftokens"),
        "the page comes back after sign-in"
    );

    // A wrong password is explained; the right one returns to the page the user wanted.
    browser.fill("#signin-username", "founder").await;
    browser.fill("#signin-password", "not the password").await;
    browser.click("Sign in").await;
    browser
        .wait_for_text("username or password is not correct", true)
        .await;
    browser.fill("#signin-password", PASSWORD).await;
    browser.click("Sign in").await;
    browser.wait_for_text("No API tokens yet.", true).await;
    assert_eq!(client.current_url().await.unwrap().path(), "/tokens");
    browser.close().await;
}

#[tokio::test]
async fn a_manager_sees_only_their_own_tokens() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_token(json!({"name": "owner fleet"})).await;
    let manager = owner.create_user("mia", "manager").await;
    manager.create_token(json!({"name": "mia fleet"})).await;

    let browser = Browser::start().await;
    browser.sign_in(&server, "mia").await;
    browser.wait_for_text("mia fleet", true).await;
    let page = browser.page_text().await;
    assert!(
        !page.contains("owner fleet"),
        "a Manager must not see the Owner's token: {page}"
    );
    assert!(page.contains("Manager"));
    assert!(!page.contains("Users"), "no Users page for a Manager");
    browser.close().await;
}

#[tokio::test]
async fn only_the_owner_is_offered_transfer_ownership_and_it_hands_the_role_over() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_user("ada", "administrator").await;

    // An Administrator sees the Users page but no way to move ownership.
    let browser = Browser::start().await;
    browser.sign_in(&server, "ada").await;
    browser.open(&server.url("/users")).await;
    // The list, not only the page around it: the Owner's row names them.
    browser.wait_for_text("The Owner", true).await;
    let page = browser.page_text().await;
    assert!(page.contains("ada") && page.contains("owner"), "{page}");
    assert!(!page.contains("Transfer ownership"), "{page}");
    browser.close().await;

    // The Owner is offered it on the other users' rows, and it does what it says.
    let browser = Browser::start().await;
    browser.sign_in(&server, "owner").await;
    browser.open(&server.url("/users")).await;
    browser.click("Transfer ownership to ada").await;
    browser
        .wait_for_text("becomes the Owner of this instance", true)
        .await;
    browser
        .click_css("dialog[open] button.danger, dialog[open] button.primary")
        .await;
    // The page starts afresh: the signed-in user is now an Administrator, with nothing to
    // transfer.
    tests::wait::until(
        "the header to show the former Owner as Administrator",
        std::time::Duration::from_secs(20),
        || async {
            let whoami = browser
                .client()
                .find(fantoccini::Locator::Css("[data-testid=whoami]"))
                .await
                .ok()?;
            let text = whoami.text().await.ok()?;
            text.contains("Administrator").then_some(())
        },
    )
    .await;
    browser.wait_for_text("+ Add user", true).await;
    assert!(!browser.page_text().await.contains("Transfer ownership"));
    assert_eq!(owner.user_roles().await, "ada=owner owner=administrator");
    browser.close().await;
}
