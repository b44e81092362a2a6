//! Changing one's own password, and an administrator resetting someone else's.

use super::*;

async fn signs_in(server: &TestServer, username: &str, password: &str) -> StatusCode {
    server.login_attempt(username, password).await.status()
}

const NEW: &str = "a brand new passphrase";

#[tokio::test]
async fn changing_ones_password_signs_out_the_other_sessions() {
    let (server, owner) = TestServer::with_owner().await;
    let elsewhere = login(server.base(), server.http(), "owner").await;
    let browser = open(&server, "owner", "/tokens").await;
    browser.click("Change password").await;
    browser.fill("#current-password", PASSWORD).await;
    browser.fill("#change-new-password", NEW).await;
    browser.fill("#change-repeat-password", NEW).await;
    browser.click_css("dialog[open] button[type=submit]").await;
    browser.wait_for_text("Password changed.", true).await;

    assert_eq!(
        elsewhere.get("/api/auth/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        owner.get("/api/auth/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        signs_in(&server, "owner", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(signs_in(&server, "owner", NEW).await, StatusCode::OK);
    // This browser's own session goes on.
    browser.open(&server.url("/users")).await;
    browser.wait_for_text("The Owner", true).await;
    browser.close().await;
}

#[tokio::test]
async fn an_administrator_resets_a_users_password_from_the_users_page() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_user("ada", "administrator").await;
    let mia: Actor = owner.create_user("mia", "manager").await;
    let browser = open(&server, "ada", "/users").await;
    browser.click("Reset the password of mia").await;
    browser.fill("#reset-new-password", NEW).await;
    browser
        .fill("#reset-repeat-password", "not the same one")
        .await;
    browser.click_css("dialog[open] button[type=submit]").await;
    browser
        .wait_for_text("The two new passwords do not match.", true)
        .await;
    browser.fill("#reset-repeat-password", NEW).await;
    browser.click_css("dialog[open] button[type=submit]").await;
    browser
        .wait_for_text("every session of theirs has ended", true)
        .await;
    // No way to reset the Owner's, nor one's own, from here.
    for missing in ["Reset the password of owner", "Reset the password of ada"] {
        let found = browser
            .script(&format!(
                "return !!document.querySelector('[aria-label=\"{missing}\"]')"
            ))
            .await;
        assert_eq!(found, json!(false), "{missing}");
    }

    assert_eq!(
        mia.get("/api/auth/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        signs_in(&server, "mia", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(signs_in(&server, "mia", NEW).await, StatusCode::OK);
    browser.close().await;
}
