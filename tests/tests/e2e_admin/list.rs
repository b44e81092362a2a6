//! The token list's state in the address, phones at 360 px, and a bulk delete with the keyboard alone.

use super::*;

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
        .open(&server.url("/tokens?status=lost&sort=size&order=up"))
        .await;
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
        browser.open(&server.url(path)).await;
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
    browser.open(&server.url("/tokens")).await;
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
