//! Titles, the skip link, the Menu, pages beyond one's role, and the expiry banner.

use super::*;

/// Smaller ones: every tab titled "API Tokens …"; 20 Tab presses to the first row with no
/// skip link; the phone Menu deaf to Escape; `favicon.ico` answering with the HTML page.
#[tokio::test]
async fn titles_name_the_page_a_skip_link_leads_escape_closes_the_menu_and_the_icon_is_an_icon() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_token(json!({ "name": "edge" })).await;
    owner.create_user("ada", "administrator").await;

    let icon = reqwest::get(server.url("/favicon.ico")).await.unwrap();
    assert_eq!(icon.status(), StatusCode::OK);
    let kind = icon.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("image/"), "{kind}");
    let bytes = icon.bytes().await.unwrap();
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO header");

    let browser = Browser::signed_in(&server, "owner", "/tokens").await;
    browser.wait_for_text("edge", true).await;
    for (path, title) in [
        ("/tokens", "API Tokens"),
        ("/users", "Users"),
        ("/agents", "Agents"),
        ("/configs", "Configurations"),
        ("/audit", "Audit log"),
    ] {
        browser.open(&server.url(path)).await;
        tests::wait::until(
            &format!("the title of {path}"),
            std::time::Duration::from_secs(10),
            || async {
                let got = browser.client().title().await.unwrap_or_default();
                got.starts_with(&format!("{title} \u{b7} ")).then_some(())
            },
        )
        .await;
    }

    // The first Tab stop skips the top bar; following it puts focus on the page itself.
    browser.open(&server.url("/tokens")).await;
    browser.wait_for_text("edge", true).await;
    browser.press(&fantoccini::key::Key::Tab.to_string()).await;
    assert_eq!(browser.focused().await, "a: Skip to content");
    browser
        .press(&fantoccini::key::Key::Enter.to_string())
        .await;
    tests::wait::until(
        "focus in main",
        std::time::Duration::from_secs(5),
        || async {
            (browser.script("return document.activeElement.id").await == json!("main"))
                .then_some(())
        },
    )
    .await;

    // The detail page's back link returns to the list as it was, filters and order kept.
    browser
        .open(&server.url("/tokens?sort=name&order=asc&q=ed"))
        .await;
    browser.wait_for_text("edge", true).await;
    browser.click_css("[data-testid=token-row] td.name a").await;
    browser.wait_for_text("\u{2190} API Tokens", true).await;
    let back = browser
        .script("return [...document.querySelectorAll('a')].find(a => a.textContent.includes('API Tokens') && a.closest('main')).getAttribute('href')")
        .await;
    assert_eq!(back, json!("/tokens?q=ed&sort=name&order=asc"));

    // A token nothing used lately: Rotate's old secret stops now by default, and says so.
    let edge = owner.all_tokens().await.remove(0);
    browser
        .open(&server.url(&format!("/tokens/{}?tab=manage", edge.id)))
        .await;
    browser.click("Rotate\u{2026}").await;
    let overlap = browser.find("dialog[open] select#rotate-overlap").await;
    assert_eq!(
        overlap.prop("value").await.unwrap().as_deref(),
        Some("PT0S")
    );
    browser
        .wait_for_text("Nothing used this token in the last 24 hours", true)
        .await;
    browser.press_escape().await;
    browser
        .wait_for_text("Old secret keeps working for", false)
        .await;

    // An agent whose token was revoked is Refused, and what it last said of itself is plain
    // words marked as past ("OK when last heard"), not a green badge beside "Refused".
    let fleet = owner.agent_token("fleet edge").await;
    let agent = owner.holding(&fleet.secret);
    beat(&agent, "edge-07").await;
    owner.revoke(fleet.token.id).await;
    let refused = agent
        .post(
            "/agents/heartbeat",
            &json!({"id": "edge-07", "version": "Telegraf 1.39.0", "status": "OK"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    browser.open(&server.url("/agents")).await;
    browser.wait_for_text("edge-07", true).await;
    let cell = browser
        .script("const c = document.querySelector('[data-testid=reported-status]'); return [c.textContent.trim(), c.className, c.querySelectorAll('.badge').length]")
        .await;
    assert_eq!(cell, json!(["OK when last heard", "muted", 0]));
    assert!(browser.page_text().await.contains("Refused"));

    // On a phone: Escape closes the open Menu and focus returns to its button.
    browser.set_width(360).await;
    browser.click("Menu").await;
    let expanded = "return document.querySelector('.menu-button').getAttribute('aria-expanded')";
    assert_eq!(browser.script(expanded).await, json!("true"));
    browser.press_escape().await;
    assert_eq!(browser.script(expanded).await, json!("false"));
    assert_eq!(browser.focused().await, "button: Menu");
    browser.close().await;
}

/// A Manager opening /audit or /users by address saw "your role (Manager) does not allow
/// users:read", a useless "Try again" and, on /audit, "No entry matches." and Verify chain; a
/// Viewer the same on /tokens; a Manager's Agents page said "No agent has sent a heartbeat
/// yet." while agents reported through other users' tokens.
#[tokio::test]
async fn a_page_beyond_ones_role_says_so_plainly() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_user("mia", "manager").await;
    owner.create_user("val", "viewer").await;
    let theirs = owner.agent_token("owner's fleet").await;
    beat(&owner.holding(&theirs.secret), "edge-11").await;

    let browser = Browser::signed_in(&server, "mia", "/agents").await;
    browser
        .wait_for_text("No agents use your tokens.", true)
        .await;
    assert!(!browser.page_text().await.contains("edge-11"));
    for (path, what) in [("/audit", "the audit log"), ("/users", "users")] {
        browser.open(&server.url(path)).await;
        browser.find("[data-testid=no-access]").await;
        let text = browser.page_text().await;
        assert!(
            text.contains("You don't have access to this page"),
            "{path}: {text}"
        );
        assert!(
            text.contains(&format!("Your role, Manager, does not include {what}.")),
            "{path}: {text}"
        );
        for raw in [
            "does not allow",
            "Try again",
            "No entry matches",
            "Verify chain",
        ] {
            assert!(!text.contains(raw), "{path} shows {raw:?}: {text}");
        }
    }

    // A Manager's custom grid offered Users read/write/delete that the server then refused,
    // while Full access was narrowed silently: both now say and show the role's limit.
    browser.open(&server.url("/tokens")).await;
    browser.click("+ Create API Token").await;
    let preset = browser.find("dialog[open] select#token-preset").await;
    let full = browser
        .script(
            "return document.querySelector('#token-preset option[value=full-access]').textContent",
        )
        .await;
    assert_eq!(full, json!("Full access (everything a Manager may do)"));
    browser
        .wait_for_text("A Manager's tokens can do at most what a Manager may", true)
        .await;
    preset.select_by_value("custom").await.unwrap();
    browser.find("dialog[open] table.permissions-grid").await;
    let disabled = browser
        .script_strings("return [...document.querySelectorAll('dialog[open] table.permissions-grid input:disabled')].map(i => i.getAttribute('aria-label'))")
        .await;
    assert_eq!(disabled, ["Users Read", "Users Write", "Users Delete"]);
    browser.press_escape().await;
    browser.close().await;

    let browser = Browser::signed_in(&server, "val", "/tokens").await;
    browser.find("[data-testid=no-access]").await;
    browser
        .wait_for_text("Your role, Viewer, does not include API tokens.", true)
        .await;
    browser.click_css("[data-testid=no-access] a").await;
    browser.wait_for_text("Configurations", true).await;
    browser.close().await;
}

/// The expiring banner kept naming a token after a bulk revoke; and a dialog about one token
/// said "All of them change, or none do."
#[tokio::test]
async fn the_expiry_banner_follows_a_bulk_revoke_and_one_token_is_spoken_of_as_one() {
    let (server, owner) = TestServer::with_owner().await;
    let soon = shared::time::rfc3339_from_millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
            + 3 * 86_400_000,
    )
    .unwrap();
    let token = owner
        .create_token(json!({ "name": "soon gone", "expiresAt": soon }))
        .await;
    owner.create_token(json!({ "name": "stays" })).await;
    beat(&owner.holding(&token.secret), "edge-21").await;
    tests::wait::until(
        "the use to be recorded",
        std::time::Duration::from_secs(10),
        || async { owner.token(token.token.id).await.last_used_at.map(|_| ()) },
    )
    .await;

    let browser = Browser::signed_in(&server, "owner", "/tokens").await;
    browser.find("[data-testid=expiry-banner]").await;
    // One token, from its row: no bulk wording.
    browser.click("Revoke token soon gone").await;
    browser.find("dialog[open]").await;
    assert!(!browser.page_text().await.contains("All of them change"));
    browser.press_escape().await;
    browser
        .wait_for_text("Revoke \u{201c}soon gone\u{201d}?", false)
        .await;

    browser
        .click_css("input[aria-label='Select soon gone']")
        .await;
    browser.click_css("input[aria-label='Select stays']").await;
    browser
        .click_css("[data-testid=bulk-bar] button:nth-of-type(1)")
        .await;
    browser
        .wait_for_text("All of them change, or none do.", true)
        .await;
    browser.click_css("[data-testid=confirm-action]").await;
    browser.wait_for_text("Revoked 2 tokens.", true).await;
    until_script(
        &browser,
        "the banner to go",
        "return !!document.querySelector('[data-testid=expiry-banner]')",
        json!(false),
    )
    .await;
    browser.close().await;
}
