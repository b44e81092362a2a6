//! The pictures to review, with an accessibility audit of every page and dialog at both widths.

use super::*;

#[tokio::test]
async fn pictures_to_review_and_an_audit_of_every_page_and_dialog_at_both_widths() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_user("mia", "manager").await;
    let config = owner
        .create_config("edge", "[agent]\n  interval = \"10s\"\n")
        .await;
    let used = owner.agent_token("edge agents").await;
    for name in ["staging agents", "ci pipeline", "backup exporter"] {
        owner.create_token(json!({ "name": name })).await;
    }
    Telegraf::new(&server, &used.secret)
        .heartbeat(&json!({"id": "edge-01", "version": "Telegraf 1.39.0"}))
        .await;
    Telegraf::new(&server, &used.secret).fetch(config.id).await;
    let detail = format!("/tokens/{}", used.token.id);

    let browser = open(&server, "owner", "/tokens").await;
    let mut failures = Vec::new();
    let mut audit = |at: String, found: Vec<String>| {
        failures.extend(found.into_iter().map(|v| format!("{at}: {v}")));
    };
    for width in [1280, 360] {
        browser.set_width(width).await;
        let shot = |name: &str| format!("{name}-{width}");
        for (path, ready) in [
            ("/tokens", "edge agents"),
            (&format!("{detail}?tab=overview") as &str, "last seen"),
            (&format!("{detail}?tab=manage") as &str, "Reassign"),
            (&format!("{detail}?tab=permissions") as &str, "Heartbeat"),
            (&format!("{detail}?tab=history") as &str, "Created"),
            ("/users", "The Owner"),
            ("/agents", "edge-01"),
            ("/configs", "edge"),
            ("/audit", "Token created"),
        ] {
            browser.open(&server.url(path)).await;
            browser.wait_for_text(ready, true).await;
            let name = match path.split_once("?tab=") {
                Some((_, tab)) => format!("token-{tab}"),
                None => path.trim_start_matches('/').to_owned(),
            };
            browser.screenshot(&shot(&name)).await;
            audit(
                format!("{width} {path}"),
                browser.accessibility_violations().await,
            );
        }

        // Three rows selected, then the bulk delete dialog with its agent warning.
        browser.open(&server.url("/tokens")).await;
        browser.wait_for_text("edge agents", true).await;
        for name in ["edge agents", "ci pipeline", "backup exporter"] {
            browser
                .click_css(&format!("input[aria-label='Select {name}']"))
                .await;
        }
        browser.screenshot(&shot("tokens-3-selected")).await;
        browser
            .click_css("[data-testid=bulk-bar] button.danger")
            .await;
        browser.wait_for_text("edge-01", true).await;
        browser.screenshot(&shot("bulk-delete-dialog")).await;
        audit(
            format!("{width} bulk delete dialog"),
            browser.accessibility_violations().await,
        );
        browser.press_escape().await;

        // The create dialog showing its secret.
        browser.open(&server.url("/tokens")).await;
        browser.click("+ Create API Token").await;
        browser
            .fill(
                "dialog[open] input#token-name",
                &format!("pictured {width}"),
            )
            .await;
        browser.click("Create Token").await;
        browser.find("[data-testid=new-token-secret]").await;
        browser.screenshot(&shot("create-dialog-secret")).await;
        audit(
            format!("{width} new secret"),
            browser.accessibility_violations().await,
        );
        // Closing without copying asks first.
        browser.press_escape().await;
        browser
            .wait_for_text("You have not copied this token", true)
            .await;
        audit(
            format!("{width} close without copying"),
            browser.accessibility_violations().await,
        );

        // Every other dialog, opened from where people open it.
        for (path, ready, opener) in [
            ("/tokens", "edge agents", "Revoke token staging agents"),
            ("/tokens", "edge agents", "Delete token staging agents"),
            (
                &format!("{detail}?tab=manage") as &str,
                "Reassign",
                "Reassign token",
            ),
            (
                &format!("{detail}?tab=manage") as &str,
                "Reassign",
                "Rotate\u{2026}",
            ),
            ("/users", "The Owner", "+ Add user"),
            ("/users", "The Owner", "Delete user mia"),
            ("/users", "The Owner", "Transfer ownership to mia"),
            ("/configs", "edge", "+ New configuration"),
            ("/configs", "edge", "Edit"),
            ("/configs", "edge", "Delete configuration edge"),
        ] {
            browser.open(&server.url(path)).await;
            browser.wait_for_text(ready, true).await;
            browser.click(opener).await;
            browser.find("dialog[open]").await;
            audit(
                format!("{width} {opener}"),
                browser.accessibility_violations().await,
            );
        }
        browser.open(&server.url("/tokens")).await;
        browser.wait_for_text("edge agents", true).await;
        browser
            .click_css("input[aria-label='Select ci pipeline']")
            .await;
        browser
            .click_css("[data-testid=bulk-bar] button:nth-of-type(2)")
            .await;
        browser.find("dialog[open]").await;
        audit(
            format!("{width} bulk reassign"),
            browser.accessibility_violations().await,
        );
        // Making someone a Viewer asks first.
        browser.open(&server.url("/users")).await;
        browser.wait_for_text("The Owner", true).await;
        let role = browser.find("select[aria-label='Role of mia']").await;
        role.select_by_value("viewer").await.unwrap();
        browser.find("dialog[open]").await;
        audit(
            format!("{width} make viewer"),
            browser.accessibility_violations().await,
        );
        browser.open(&server.url("/signin")).await;
        browser.find("#signin-username").await;
        audit(
            format!("{width} /signin"),
            browser.accessibility_violations().await,
        );

        // Change password, and reset someone's.
        browser.open(&server.url("/users")).await;
        browser.wait_for_text("The Owner", true).await;
        if width < 600 {
            browser.click("Menu").await;
        }
        browser.click("Change password").await;
        browser.find("dialog[open] #current-password").await;
        audit(
            format!("{width} change password"),
            browser.accessibility_violations().await,
        );
        browser.press_escape().await;
        browser.click("Reset the password of mia").await;
        browser.find("dialog[open] #reset-new-password").await;
        audit(
            format!("{width} reset password"),
            browser.accessibility_violations().await,
        );
        browser.press_escape().await;
    }
    tests::answers::assert_none(&failures, "accessibility violations");
    browser.close().await;
}

#[tokio::test]
async fn the_first_run_setup_page_passes_the_audit_at_both_widths() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    let mut failures = Vec::new();
    for width in [1280, 360] {
        browser.set_width(width).await;
        browser.open(&server.url("/setup")).await;
        browser.find("#setup-username").await;
        let overflow = browser.horizontal_overflow().await;
        if overflow > 0 {
            failures.push(format!("{width}: {overflow} px wider than the screen"));
        }
        for violation in browser.accessibility_violations().await {
            failures.push(format!("{width} /setup: {violation}"));
        }
    }
    tests::answers::assert_none(&failures, "setup page problems");
    browser.close().await;
}
