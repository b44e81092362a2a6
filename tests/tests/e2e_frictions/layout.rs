//! Phones at 360 px, and each form's message beside its field.

use super::*;

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
        browser.open(&server.url(path)).await;
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
    browser.open(&server.url("/users")).await;
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
            browser.open(&server.url(path)).await;
            browser.wait_for_text(ready, true).await;
            for violation in browser.accessibility_violations().await {
                failures.push(format!("360 px {scheme} {path}: {violation}"));
            }
        }
        // The dialogs: create, and rotate.
        browser.open(&server.url("/tokens")).await;
        browser.wait_for_text("edge collectors", true).await;
        browser.click("+ Create API Token").await;
        browser.find("dialog[open]").await;
        for violation in browser.accessibility_violations().await {
            failures.push(format!("360 px {scheme} create dialog: {violation}"));
        }
        browser
            .open(&server.url(&format!("/tokens/{}", token.token.id)))
            .await;
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

/// Form errors sat at the foot of the form, one at a time, not beside their field (setup,
/// change password, configuration, custom date, pre-shared value); "the current password is
/// not correct" appeared under "Repeat"; messages were lowercase jargon ("rawToken is not a
/// valid token string").
#[tokio::test]
async fn a_forms_message_stands_beside_the_field_it_is_about() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open(&server.url("/setup")).await;
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
    browser.open(&server.url("/configs")).await;
    browser.click("+ New configuration").await;
    browser.fill("#config-name", "edge").await;
    browser.fill("#config-toml", "[agent\n").await;
    browser.click("Save configuration").await;
    beside(&browser, "config-toml", "The TOML is not valid at line 1").await;

    // A custom date in the past, under the date; a token string that is not one, under it.
    browser.open(&server.url("/tokens")).await;
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
