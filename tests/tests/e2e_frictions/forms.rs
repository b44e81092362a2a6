//! The configuration editor, a Create form across a sign-in, and focus in the secret dialogs.

use super::*;

/// Editing a configuration's TOML and pressing Escape discarded the edit without asking; an
/// empty TOML saved without a word that agents would then get nothing.
#[tokio::test]
async fn an_edited_configuration_is_not_dropped_by_escape_and_an_empty_one_is_called_out() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("fleet", "[agent]\n").await;
    let browser = Browser::signed_in(&server, "owner", "/configs").await;
    browser.wait_for_text("fleet", true).await;

    // Unchanged: Escape closes at once.
    browser.click("Edit").await;
    browser.find("dialog[open] #config-toml").await;
    browser.press_escape().await;
    browser.wait_for_text("Edit configuration", false).await;

    browser.click("Edit").await;
    browser
        .fill("#config-toml", "[agent]\n  interval = \"30s\"\n")
        .await;
    browser.press_escape().await;
    browser.find("[data-testid=discard-edits]").await;
    assert_eq!(browser.focused().await, "button: Keep editing");
    browser.click("Keep editing").await;
    let kept = browser
        .script("return document.querySelector('#config-toml').value")
        .await;
    assert_eq!(kept, json!("[agent]\n  interval = \"30s\"\n"));

    // Emptied: said before saving.
    assert!(!present(&browser, "[data-testid=empty-toml]").await);
    browser.fill("#config-toml", "  \n").await;
    browser
        .wait_for_text("This configuration is empty", true)
        .await;
    browser.press_escape().await;
    browser.click("Discard changes").await;
    browser.wait_for_text("Edit configuration", false).await;
    let stored: shared::api::Config = owner.get_json(&format!("/api/configs/{}", config.id)).await;
    assert_eq!(stored.toml, "[agent]\n");
    browser.close().await;
}

/// A session that ended while the Create Token form was filled lost the form on sign-in.
#[tokio::test]
async fn a_create_form_open_when_the_session_ends_comes_back_after_sign_in() {
    let (server, _owner) = TestServer::with_owner().await;
    let browser = Browser::signed_in(&server, "owner", "/tokens").await;
    browser.click("+ Create API Token").await;
    browser.fill("#token-name", "kept across sign-in").await;
    browser
        .find("dialog[open] select#token-preset")
        .await
        .select_by_value("full-access")
        .await
        .unwrap();
    browser
        .find("dialog[open] select#token-expiry")
        .await
        .select_by_value("never")
        .await
        .unwrap();
    // The session ends (expired, or signed out elsewhere) with the form still open.
    server.sql("DELETE FROM sessions");
    browser.click("Create Token").await;
    browser.find("#signin-username").await;
    browser.fill("#signin-username", "owner").await;
    browser.fill("#signin-password", tests::PASSWORD).await;
    browser.click("Sign in").await;

    browser.find("[data-testid=draft-restored]").await;
    let form = browser
        .script("return [document.querySelector('#token-name').value, document.querySelector('#token-preset').value, document.querySelector('#token-expiry').value]")
        .await;
    assert_eq!(form, json!(["kept across sign-in", "full-access", "never"]));
    browser.click("Create Token").await;
    browser.find("[data-testid=new-token-secret]").await;
    browser.click("Done").await;
    browser.click("Close anyway").await;
    browser.wait_for_text("kept across sign-in", true).await;
    // Used once: a reload does not bring the form back.
    browser.client().refresh().await.unwrap();
    browser.wait_for_text("kept across sign-in", true).await;
    assert!(!present(&browser, "dialog[open]").await);
    browser.close().await;
}

/// The Rotate dialog and the secret dialog left focus on <body> on open, on Escape, after
/// "Go back" and after Done.
#[tokio::test]
async fn focus_follows_the_rotate_and_secret_dialogs() {
    let (server, owner) = TestServer::with_owner().await;
    let browser = Browser::signed_in(&server, "owner", "/tokens").await;
    browser.click("+ Create API Token").await;
    browser.fill("#token-name", "focus walk").await;
    browser.click("Create Token").await;
    browser.find("[data-testid=new-token-secret]").await;
    let focus_is = |wanted: &'static str| {
        let browser = &browser;
        async move {
            tests::wait::until(
                &format!("focus on {wanted}"),
                std::time::Duration::from_secs(5),
                || async { browser.focused().await.starts_with(wanted).then_some(()) },
            )
            .await;
        }
    };
    focus_is("button: Copy").await;
    browser.press_escape().await;
    focus_is("button: Go back").await;
    browser.click("Go back").await;
    focus_is("button: Copy").await;
    browser.click("Done").await;
    browser.click("Close anyway").await;
    focus_is("button: + Create API Token").await;

    let id = owner.all_tokens().await.remove(0).id;
    browser
        .open(&server.url(&format!("/tokens/{id}?tab=manage")))
        .await;
    browser.click("Rotate\u{2026}").await;
    focus_is("select").await;
    browser.click("Rotate secret").await;
    browser.find("[data-testid=new-token-secret]").await;
    focus_is("button: Copy").await;
    browser.press_escape().await;
    focus_is("button: Go back").await;
    browser.click("Close anyway").await;
    until_script(
        &browser,
        "focus back on the page",
        "return document.activeElement === document.body",
        json!(false),
    )
    .await;
    browser.close().await;
}
