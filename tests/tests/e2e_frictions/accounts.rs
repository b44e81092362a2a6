//! Locking oneself out, what disabling and demoting cut off, and a selection gone stale.

use super::*;

/// High: one click locked an administrator out (Disable on one's own row acted at once), and
/// disabling anyone had no confirmation although it cuts their agents off; demoting asked but
/// without the account of tokens and agents that Delete gives.
#[tokio::test]
async fn nobody_locks_themselves_out_and_disabling_or_demoting_says_what_it_cuts_off() {
    let (server, owner) = TestServer::with_owner().await;
    let ada = owner.create_user("ada", "administrator").await;
    let mia = owner.create_user("mia", "manager").await;
    let used = mia.create_token(json!({ "name": "mia edge" })).await;
    mia.create_token(json!({ "name": "mia spare" })).await;
    let agent = mia.holding(&used.secret);
    beat(&agent, "edge-01").await;

    // The API refuses it too, for any client: disable, demote or delete oneself.
    let me = ada.user_id();
    for (answer, what) in [
        (
            ada.patch(&format!("/api/users/{me}"), &json!({"disabled": true}))
                .await,
            "disable",
        ),
        (
            ada.patch(&format!("/api/users/{me}"), &json!({"role": "manager"}))
                .await,
            "demote",
        ),
        (ada.delete(&format!("/api/users/{me}")).await, "delete"),
    ] {
        let error = expect_error(answer, StatusCode::FORBIDDEN, "forbidden").await;
        assert!(
            error.contains("your own account") && error.contains(what),
            "{what}: {error}"
        );
    }
    assert_eq!(ada.get("/api/auth/me").await.status(), StatusCode::OK);

    let browser = Browser::signed_in(&server, "ada", "/users").await;
    browser.wait_for_text("mia", true).await;
    // One's own row offers nothing that locks one out, and says why beside the controls.
    browser.find("[data-testid=own-account-note]").await;
    assert!(!present(&browser, "[aria-label='Disable user ada']").await);
    assert!(!present(&browser, "[aria-label='Delete user ada']").await);
    assert!(present(&browser, "select[aria-label='Role of ada']:disabled").await);
    let described = browser
        .script("return document.querySelector(\"select[aria-label='Role of ada']\").getAttribute('aria-describedby')")
        .await;
    let note_id = browser
        .script("return document.querySelector('[data-testid=own-account-note]').id")
        .await;
    assert_eq!(described, note_id);
    browser
        .wait_for_text("so you cannot lock yourself out", true)
        .await;

    // Disable asks first, with what it cuts off; Cancel changes nothing.
    browser.click("Disable user mia").await;
    browser.find("dialog[open]").await;
    browser
        .wait_for_text(
            "They own 2 API tokens, used by 1 agent in the last 24 hours; those tokens are refused on their next request",
            true,
        )
        .await;
    browser.press_escape().await;
    browser.wait_for_text("Disable this user?", false).await;
    beat(&agent, "edge-01").await;

    browser.click("Disable user mia").await;
    browser.click("Disable user").await;
    browser.wait_for_text("mia is disabled", true).await;
    let refused = agent
        .post(
            "/agents/heartbeat",
            &json!({"id": "edge-01", "version": "Telegraf 1.39.0", "status": "OK"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    // Enabling restores at once, without a dialog.
    browser.click("Enable user mia").await;
    browser.wait_for_text("mia is enabled again.", true).await;
    beat(&agent, "edge-01").await;

    // Making someone a Viewer gives the same account, with its own consequence.
    let role = browser.find("select[aria-label='Role of mia']").await;
    role.select_by_value("viewer").await.unwrap();
    browser.find("dialog[open]").await;
    browser
        .wait_for_text("They own 2 API tokens, used by 1 agent in the last 24 hours; those tokens are revoked now, for good.", true)
        .await;
    browser.press_escape().await;
    browser
        .wait_for_text("Make this user a Viewer?", false)
        .await;
    beat(&agent, "edge-01").await;
    browser.close().await;
}

/// High: a stale selection failed with a raw id ("1 of the ids match no token you can
/// manage: 17c412a8-…") and kept the deleted row listed; on the detail page, revoking a token
/// deleted elsewhere said "there is no token with id …" and offered Revoke again.
#[tokio::test]
async fn a_token_deleted_elsewhere_is_named_and_the_rest_go_ahead() {
    let (server, owner) = TestServer::with_owner().await;
    let alpha = owner.create_token(json!({ "name": "alpha" })).await;
    let beta = owner.create_token(json!({ "name": "beta" })).await;
    let gamma = owner.create_token(json!({ "name": "gamma" })).await;

    let browser = Browser::signed_in(&server, "owner", "/tokens").await;
    browser.wait_for_text("gamma", true).await;
    browser.click_css("input[aria-label='Select alpha']").await;
    browser.click_css("input[aria-label='Select beta']").await;
    // Another tab (here: the API) deletes one of them.
    let deleted = owner
        .delete(&format!("/api/tokens/{}", beta.token.id))
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    browser
        .click_css("[data-testid=bulk-bar] button.danger")
        .await;
    browser.wait_for_text("Delete 2 tokens?", true).await;
    browser.click_css("[data-testid=confirm-action]").await;
    // Named by its description, left out, and the rest offered; no raw id anywhere.
    browser
        .wait_for_text(
            "\u{201c}beta\u{201d} (deleted elsewhere since you selected it)",
            true,
        )
        .await;
    browser.wait_for_text("Delete the other 1?", true).await;
    let text = browser.page_text().await;
    assert!(!text.contains(&beta.token.id.to_string()), "{text}");
    assert!(!text.contains("match no token"), "{text}");
    browser.click("Delete the other 1").await;
    browser.wait_for_text("Deleted 1 token.", true).await;
    browser.wait_for_text("alpha", false).await;
    let left: Vec<String> = owner
        .all_tokens()
        .await
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(left, ["gamma"]);
    assert!(!browser.page_text().await.contains("beta"));
    let _ = alpha;

    // The detail page: the token goes while the Revoke dialog is open.
    browser
        .open(&server.url(&format!("/tokens/{}?tab=manage", gamma.token.id)))
        .await;
    browser.click("Revoke token").await;
    browser.find("dialog[open]").await;
    let deleted = owner
        .delete(&format!("/api/tokens/{}", gamma.token.id))
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    browser.click_css("[data-testid=confirm-action]").await;
    browser
        .wait_for_text("it may have been deleted", true)
        .await;
    assert!(!present(&browser, "dialog[open]").await);
    assert!(!browser.page_text().await.contains("Revoke token"));
    browser.close().await;
}
