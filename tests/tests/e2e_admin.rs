//! Issue 12, in the browser: the token list's state in the address (reload, back, forward),
//! sortable headings, phones at 360 px, a bulk delete with the keyboard alone and where focus
//! goes after each dialog, changing and resetting passwords, and the pictures to review
//! (`target/screenshots/`) with an accessibility audit of every page and dialog at both widths.

use fantoccini::key::Key;
use reqwest::StatusCode;
use serde_json::json;
use tests::actors::login;
use tests::{Actor, Browser, Telegraf, TestServer, PASSWORD};

async fn open(server: &TestServer, username: &str, path: &str) -> Browser {
    Browser::signed_in(server, username, path).await
}

async fn value(browser: &Browser, css: &str) -> String {
    let js = format!("return document.querySelector('{css}').value");
    browser
        .script(&js)
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn query(browser: &Browser) -> String {
    let url = browser.client().current_url().await.unwrap();
    url.query().unwrap_or_default().to_owned()
}

/// The descriptions of the rows on screen, in order.
async fn rows(browser: &Browser) -> Vec<String> {
    let js = "return [...document.querySelectorAll('[data-testid=token-row] td.name a')].map(a => a.textContent.trim())";
    browser.script_strings(js).await
}

async fn wait_for_rows(browser: &Browser, expected: &[&str]) {
    tests::wait::until(
        &format!("the rows {expected:?}"),
        std::time::Duration::from_secs(15),
        || async { (rows(browser).await == expected).then_some(()) },
    )
    .await;
}

#[tokio::test]
async fn the_lists_filters_and_order_live_in_the_address_through_reload_back_and_forward() {
    let (server, owner) = TestServer::with_owner().await;
    for name in ["b kept", "a gone", "c gone"] {
        let created = owner.create_token(json!({ "name": name })).await;
        if name.ends_with("gone") {
            owner.revoke(created.token.id).await;
        }
    }
    let browser = open(&server, "owner", "/tokens").await;
    wait_for_rows(&browser, &["c gone", "a gone", "b kept"]).await;

    browser
        .find("#token-status")
        .await
        .select_by_value("revoked")
        .await
        .unwrap();
    wait_for_rows(&browser, &["c gone", "a gone"]).await;
    assert_eq!(query(&browser).await, "status=revoked");
    browser.click("Description").await;
    wait_for_rows(&browser, &["a gone", "c gone"]).await;
    assert_eq!(query(&browser).await, "status=revoked&sort=name&order=asc");

    // Reload: the same list, and the controls say so.
    browser.client().refresh().await.unwrap();
    wait_for_rows(&browser, &["a gone", "c gone"]).await;
    assert_eq!(value(&browser, "#token-status").await, "revoked");
    assert_eq!(value(&browser, "#token-sort").await, "name:asc");
    let sorted = browser
        .script("return document.querySelector('th[aria-sort=ascending]').textContent.trim()")
        .await;
    assert!(
        sorted
            .as_str()
            .unwrap_or_default()
            .starts_with("Description"),
        "{sorted}"
    );

    // The heading again: the other way.
    browser.click("Description▲").await;
    wait_for_rows(&browser, &["c gone", "a gone"]).await;
    assert_eq!(query(&browser).await, "status=revoked&sort=name&order=desc");

    // Back, back, back: each earlier list in turn.
    browser.client().back().await.unwrap();
    wait_for_rows(&browser, &["a gone", "c gone"]).await;
    browser.client().back().await.unwrap();
    wait_for_rows(&browser, &["c gone", "a gone"]).await;
    assert_eq!(value(&browser, "#token-sort").await, "createdAt:desc");
    browser.client().back().await.unwrap();
    wait_for_rows(&browser, &["c gone", "a gone", "b kept"]).await;
    assert_eq!(value(&browser, "#token-status").await, "");
    browser.client().forward().await.unwrap();
    wait_for_rows(&browser, &["c gone", "a gone"]).await;

    // An address with values the list does not know shows the default list, without an error.
    browser
        .client()
        .goto(&server.url("/tokens?status=lost&sort=size&order=up"))
        .await
        .unwrap();
    wait_for_rows(&browser, &["c gone", "a gone", "b kept"]).await;
    assert_eq!(query(&browser).await, "");
    browser.close().await;
}

#[tokio::test]
async fn nothing_is_wider_than_a_phone_and_the_menu_holds_the_navigation() {
    let (server, owner) = TestServer::with_owner().await;
    let long = "production telegraf agents in the eu-west-1 region behind the load balancer";
    let token = owner
        .create_token(json!({ "name": long, "preset": "telegraf-agent" }))
        .await;
    owner
        .create_config("edge", "[agent]\n  interval = \"10s\"\n")
        .await;
    owner.create_user("mia", "manager").await;
    let beat = json!({"id": "edge-host-with-a-rather-long-agent-identifier-01", "version": "Telegraf 1.39.0", "hostname": "edge-01.eu-west-1.compute.internal"});
    Telegraf::new(&server, &token.secret).heartbeat(&beat).await;

    let browser = open(&server, "owner", "/tokens").await;
    browser.set_width(360).await;
    let mut failures = Vec::new();
    for (path, ready) in [
        ("/tokens", long),
        (&format!("/tokens/{}", token.token.id) as &str, "Overview"),
        ("/users", "The Owner"),
        ("/agents", "edge-01.eu-west-1"),
        ("/configs", "edge"),
    ] {
        browser.client().goto(&server.url(path)).await.unwrap();
        browser.wait_for_text(ready, true).await;
        let overflow = browser.horizontal_overflow().await;
        if overflow > 0 {
            // Name the outermost elements that stick out, so the failure says what to fix.
            let culprits = browser
                .script(
                    "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 \
                     && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 1)) \
                     .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) \
                     + ' in ' + e.parentElement.tagName.toLowerCase() + '.' + e.parentElement.className + ' ' + getComputedStyle(e.parentElement).overflowX)",
                )
                .await;
            failures.push(format!(
                "{path} is {overflow} px wider than the screen: {culprits}"
            ));
        }
    }
    // The navigation is behind the Menu button, and works from there.
    browser.click("Menu").await;
    browser.click_css("#main-menu nav a[href='/agents']").await;
    browser.wait_for_text("edge-01.eu-west-1", true).await;
    // A dialog fits the screen.
    browser.client().goto(&server.url("/tokens")).await.unwrap();
    browser.click("+ Create API Token").await;
    browser.find("dialog[open]").await;
    let fits = browser
        .script("const r = document.querySelector('dialog[open]').getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth")
        .await;
    assert_eq!(fits, json!(true), "the dialog fits a 360 px screen");
    tests::answers::assert_none(&failures, "pages wider than a phone");
    browser.close().await;
}

#[tokio::test]
async fn a_bulk_delete_with_the_keyboard_alone_and_focus_after_each_dialog() {
    let (server, owner) = TestServer::with_owner().await;
    for name in ["key one", "key two", "key three"] {
        owner.create_token(json!({ "name": name })).await;
    }
    let browser = open(&server, "owner", "/tokens").await;
    wait_for_rows(&browser, &["key three", "key two", "key one"]).await;

    let space = Key::Space.to_string();
    let enter = Key::Enter.to_string();
    // Rows are newest first: three, two, one.
    browser.tab_to("Select key three").await;
    browser.press(&space).await;
    browser.tab_to("Select key one").await;
    browser.press(&space).await;
    // The bulk bar sits above the table: back to it with Shift+Tab.
    let back = format!("{}{}", Key::Shift, Key::Tab);
    for _ in 0..40 {
        if browser.focused().await == "button: Delete" {
            break;
        }
        browser.press(&back).await;
    }
    assert_eq!(browser.focused().await, "button: Delete");

    // Escape closes the dialog and gives focus back to the button that opened it, visibly.
    browser.press(&enter).await;
    browser.find("dialog[open]").await;
    browser.press(&Key::Escape.to_string()).await;
    tests::wait::until(
        "focus back on Delete",
        std::time::Duration::from_secs(5),
        || async { (browser.focused().await == "button: Delete").then_some(()) },
    )
    .await;
    let outline = browser
        .script("return getComputedStyle(document.activeElement).outlineStyle")
        .await;
    assert_ne!(outline, json!("none"), "focus is visible");

    // Enter, Tab to the confirmation, Enter: the two are deleted, and focus lands on the list.
    browser.press(&enter).await;
    browser.find("dialog[open]").await;
    browser.tab_to("Delete 2 tokens").await;
    browser.press(&enter).await;
    wait_for_rows(&browser, &["key two"]).await;
    tests::wait::until(
        "focus on the list",
        std::time::Duration::from_secs(5),
        || async {
            browser
                .focused()
                .await
                .contains("API tokens list")
                .then_some(())
        },
    )
    .await;
    assert_eq!(owner.all_tokens().await.len(), 1);
    browser.close().await;
}

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
    browser.client().goto(&server.url("/users")).await.unwrap();
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
            browser.client().goto(&server.url(path)).await.unwrap();
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
        browser.client().goto(&server.url("/tokens")).await.unwrap();
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
        browser.client().goto(&server.url("/tokens")).await.unwrap();
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
            browser.client().goto(&server.url(path)).await.unwrap();
            browser.wait_for_text(ready, true).await;
            browser.click(opener).await;
            browser.find("dialog[open]").await;
            audit(
                format!("{width} {opener}"),
                browser.accessibility_violations().await,
            );
        }
        browser.client().goto(&server.url("/tokens")).await.unwrap();
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
        browser.client().goto(&server.url("/users")).await.unwrap();
        browser.wait_for_text("The Owner", true).await;
        let role = browser.find("select[aria-label='Role of mia']").await;
        role.select_by_value("viewer").await.unwrap();
        browser.find("dialog[open]").await;
        audit(
            format!("{width} make viewer"),
            browser.accessibility_violations().await,
        );
        browser.client().goto(&server.url("/signin")).await.unwrap();
        browser.find("#signin-username").await;
        audit(
            format!("{width} /signin"),
            browser.accessibility_violations().await,
        );

        // Change password, and reset someone's.
        browser.client().goto(&server.url("/users")).await.unwrap();
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
        browser.client().goto(&server.url("/setup")).await.unwrap();
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
