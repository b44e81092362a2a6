//! Issue 20, in the browser: the frictions a newcomer met, each walked as they met it.

use reqwest::StatusCode;
use serde_json::json;
use tests::answers::expect_error;
use tests::{Actor, Browser, TestServer};

/// Whether an element matching `css` is on the page now.
async fn present(browser: &Browser, css: &str) -> bool {
    let js = format!("return !!document.querySelector({css:?})");
    browser.script(&js).await == json!(true)
}

/// Waits until `js` answers `expected` in the page.
async fn until_script(browser: &Browser, what: &str, js: &str, expected: serde_json::Value) {
    tests::wait::until(what, std::time::Duration::from_secs(10), || async {
        (browser.script(js).await == expected).then_some(())
    })
    .await;
}

/// An agent that beats with `secret`, so its token has a recent agent.
async fn beat(holder: &Actor, agent: &str) {
    let beat = json!({"id": agent, "version": "Telegraf 1.39.0", "status": "OK"});
    let answer = holder.post("/agents/heartbeat", &beat).await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
}

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
        .client()
        .goto(&server.url(&format!("/tokens/{}?tab=manage", gamma.token.id)))
        .await
        .unwrap();
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
        browser.client().goto(&server.url(path)).await.unwrap();
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
    browser.client().goto(&server.url("/tokens")).await.unwrap();
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
        .client()
        .goto(&server.url("/tokens?sort=name&order=asc&q=ed"))
        .await
        .unwrap();
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
        .client()
        .goto(&server.url(&format!("/tokens/{}?tab=manage", edge.id)))
        .await
        .unwrap();
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
    browser.client().goto(&server.url("/agents")).await.unwrap();
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
        browser.client().goto(&server.url(path)).await.unwrap();
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
    browser.client().goto(&server.url("/tokens")).await.unwrap();
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
        .client()
        .goto(&server.url(&format!("/tokens/{id}?tab=manage")))
        .await
        .unwrap();
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

/// At 360 px the tables scrolled inside their boxes (the token table 977 px wide in 328 px,
/// Revoke and Delete 650 px to the right of the name), user names broke letter by letter, the
/// Agents State column was cut, and a long owner name pushed the owner filter off the page.
/// Rows are now cards; the pages pass axe there too, light and dark, dialogs included.
#[tokio::test]
async fn on_a_phone_each_row_is_a_card_with_its_actions_in_reach() {
    let (server, owner) = TestServer::with_owner().await;
    let long = "Maximiliana Theodora Wilhelmina von Hohenzollern-Sigmaringen";
    let created = owner
        .post(
            "/api/users",
            &json!({ "username": "maximiliana", "password": tests::PASSWORD, "role": "manager", "displayName": long }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let mia = tests::actors::login(server.base(), server.http(), "maximiliana").await;
    let token = mia
        .agent_token("edge collectors in the eu-west-1 region")
        .await;
    owner.agent_token("second").await;
    let beat = json!({"id": "edge-host-with-a-rather-long-agent-identifier-01", "version": "Telegraf 1.39.0", "hostname": "edge-01.eu-west-1.compute.internal", "status": "OK"});
    assert_eq!(
        tests::Telegraf::new(&server, &token.secret)
            .heartbeat(&beat)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let browser = Browser::signed_in(&server, "owner", "/tokens").await;
    browser.set_width(360).await;
    let within = "(css) => [...document.querySelectorAll(css)].every(e => { const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; })";
    for (path, ready, table, reach) in [
        (
            "/tokens",
            "edge collectors",
            "tokens-table",
            "[data-testid=token-row] td.actions button, #token-owner, [data-testid=token-row] td.name",
        ),
        (
            "/users",
            "maximiliana",
            "users-table",
            "[data-testid=user-row] td.actions button, [data-testid=user-row] select",
        ),
        (
            "/agents",
            "edge-01.eu-west-1",
            "agents-table",
            "[data-testid=agents-table] td[data-label=State] .badge, [data-testid=reported-status]",
        ),
    ] {
        browser.client().goto(&server.url(path)).await.unwrap();
        browser.wait_for_text(ready, true).await;
        let answer = browser
            .script(&format!(
                "const t = document.querySelector('[data-testid={table}]'); const box = t.parentElement; \
                 return [box.scrollWidth <= box.clientWidth + 1, ({within})({reach:?}), \
                   document.querySelectorAll({reach:?}).length > 0]"
            ))
            .await;
        assert_eq!(answer, json!([true, true, true]), "{path}: no inner scrolling, {reach} in reach");
        assert!(browser.horizontal_overflow().await <= 0, "{path} wider than the screen");
    }
    // A long name takes the card's width, not a column a letter wide.
    browser.client().goto(&server.url("/users")).await.unwrap();
    browser.wait_for_text("maximiliana", true).await;
    let lines = browser
        .script("const c = [...document.querySelectorAll('[data-testid=user-row] td.name')].find(c => c.textContent.includes('Maximiliana')); return Math.round(c.getBoundingClientRect().width)")
        .await;
    assert!(
        lines.as_i64().unwrap_or(0) >= 250,
        "name cell {lines} px wide"
    );

    let mut failures = Vec::new();
    for scheme in ["light", "dark"] {
        browser.prefer_color_scheme(scheme).await;
        for (path, ready) in [
            ("/tokens", "edge collectors"),
            ("/users", "maximiliana"),
            ("/agents", "edge-01.eu-west-1"),
            ("/audit", "Audit log"),
        ] {
            browser.client().goto(&server.url(path)).await.unwrap();
            browser.wait_for_text(ready, true).await;
            for violation in browser.accessibility_violations().await {
                failures.push(format!("360 px {scheme} {path}: {violation}"));
            }
        }
        // The dialogs: create, and rotate.
        browser.client().goto(&server.url("/tokens")).await.unwrap();
        browser.wait_for_text("edge collectors", true).await;
        browser.click("+ Create API Token").await;
        browser.find("dialog[open]").await;
        for violation in browser.accessibility_violations().await {
            failures.push(format!("360 px {scheme} create dialog: {violation}"));
        }
        browser
            .client()
            .goto(&server.url(&format!("/tokens/{}", token.token.id)))
            .await
            .unwrap();
        browser.wait_for_text("Overview", true).await;
        browser.click("Manage").await;
        browser.click("Rotate\u{2026}").await;
        browser.find("dialog[open]").await;
        for violation in browser.accessibility_violations().await {
            failures.push(format!("360 px {scheme} rotate dialog: {violation}"));
        }
    }
    tests::answers::assert_none(&failures, "accessibility violations on a phone");
    browser.close().await;
}

/// A form's message stands under the field it is about: `#<field>-error`, named by the
/// field's `aria-describedby`, the field marked invalid, nothing at the foot of the form.
async fn beside(browser: &Browser, field: &str, says: &str) {
    let js = format!(
        "const e = document.getElementById('{field}-error'), f = document.getElementById('{field}'); \
         return !!e && e.textContent.includes({says:?}) && f.getAttribute('aria-invalid') === 'true' \
           && (f.getAttribute('aria-describedby') || '').split(' ').includes('{field}-error') \
           && !document.querySelector('.form-error:not([id])')"
    );
    until_script(
        browser,
        &format!("{says:?} under #{field}"),
        &js,
        json!(true),
    )
    .await;
}

/// Form errors sat at the foot of the form, one at a time, not beside their field (setup,
/// change password, configuration, custom date, pre-shared value); "the current password is
/// not correct" appeared under "Repeat"; messages were lowercase jargon ("rawToken is not a
/// valid token string").
#[tokio::test]
async fn a_forms_message_stands_beside_the_field_it_is_about() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.client().goto(&server.url("/setup")).await.unwrap();
    browser
        .wait_for_text("Create the owner account", true)
        .await;
    browser.fill("#setup-username", "founder").await;
    browser.fill("#setup-password", tests::PASSWORD).await;
    browser
        .fill("#setup-confirm", "not the same password")
        .await;
    browser.click("Create owner account").await;
    beside(&browser, "setup-confirm", "The two passwords do not match.").await;
    browser.fill("#setup-username", "no spaces allowed").await;
    browser.fill("#setup-confirm", tests::PASSWORD).await;
    browser.click("Create owner account").await;
    beside(&browser, "setup-username", "Username may contain only").await;
    browser.fill("#setup-username", "founder").await;
    browser.click("Create owner account").await;
    browser.wait_for_text("No API tokens yet.", true).await;

    // The server's refusal of the current password, under the current password.
    browser.click("Change password").await;
    browser
        .fill("#current-password", "this is not my password")
        .await;
    browser
        .fill("#change-new-password", "a brand new passphrase")
        .await;
    browser
        .fill("#change-repeat-password", "a brand new passphrase")
        .await;
    browser.click_css("dialog[open] button[type=submit]").await;
    beside(
        &browser,
        "current-password",
        "The current password is not correct.",
    )
    .await;
    browser.press_escape().await;

    // A configuration whose TOML does not parse: where, under the TOML.
    browser
        .client()
        .goto(&server.url("/configs"))
        .await
        .unwrap();
    browser.click("+ New configuration").await;
    browser.fill("#config-name", "edge").await;
    browser.fill("#config-toml", "[agent\n").await;
    browser.click("Save configuration").await;
    beside(&browser, "config-toml", "The TOML is not valid at line 1").await;

    // A custom date in the past, under the date; a token string that is not one, under it.
    browser.client().goto(&server.url("/tokens")).await.unwrap();
    browser.click("+ Create API Token").await;
    browser.fill("dialog[open] #token-name", "dated").await;
    browser
        .find("dialog[open] select#token-expiry")
        .await
        .select_by_value("custom")
        .await
        .unwrap();
    // A custom date in the past, then year 9999 (taken before as "in 7978 years": a typo,
    // not a plan), each refused under the date.
    for (date, says) in [
        ("2020-01-31", "Choose a date in the future."),
        ("9999-12-31", "Choose a date within the next 100 years"),
    ] {
        browser
            .script(&format!(
                "const d = document.getElementById('token-expiry-date'); d.value = '{date}'; \
                 d.dispatchEvent(new Event('input', {{ bubbles: true }}))"
            ))
            .await;
        browser.click("Create Token").await;
        beside(&browser, "token-expiry-date", says).await;
    }
    browser
        .find("dialog[open] select#token-expiry")
        .await
        .select_by_value("30")
        .await
        .unwrap();
    browser
        .click_css("dialog[open] details.preshared summary")
        .await;
    browser.fill("#token-raw", "my-own-secret").await;
    browser.click("Create Token").await;
    beside(
        &browser,
        "token-raw",
        "The token string (rawToken) is not one this app can use",
    )
    .await;
    browser.close().await;
}
