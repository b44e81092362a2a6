//! The screens say what the server does: a disabled owner's tokens, a narrowed
//! token's real permissions, a mixed bulk revoke, the agent-in-use warning on one token,
//! agents that went silent or were refused, searches by what the list shows, and screens that
//! offer each role only what it may do.

use fantoccini::Locator;
use serde_json::json;
use tests::{Actor, Browser, Telegraf, TestServer};

/// A browser signed in as `username`, on `path`.
async fn open(server: &TestServer, username: &str, path: &str) -> Browser {
    Browser::signed_in(server, username, path).await
}

async fn text_of(browser: &Browser, css: &str) -> String {
    browser.find(css).await.text().await.unwrap()
}

#[tokio::test]
async fn a_disabled_owners_token_reads_owner_disabled() {
    let (server, owner) = TestServer::with_owner().await;
    let mia = owner.create_user("mia", "manager").await;
    mia.create_token(json!({"name": "mia's agent"})).await;
    let path = format!("/api/users/{}", mia.user_id());
    owner.patch(&path, &json!({"disabled": true})).await;

    let browser = open(&server, "owner", "/tokens").await;
    browser.wait_for_text("mia's agent", true).await;
    let row = text_of(&browser, "[data-testid=token-row]").await;
    assert!(row.contains("Owner disabled"), "{row}");
    browser.close().await;
}

#[tokio::test]
async fn a_reassigned_token_shows_its_narrowed_permissions_and_the_tab_survives_a_reload() {
    let (server, owner) = TestServer::with_owner().await;
    let max = owner.create_user("max", "manager").await;
    let everything = json!({"name": "everything", "preset": "full-access"});
    let full = owner.create_token(everything).await;
    owner.reassign(full.token.id, max.user_id()).await;

    let browser = open(&server, "owner", "/tokens").await;
    browser
        .wait_for_text("narrowed by its owner's role", true)
        .await;
    browser
        .open(&server.url(&format!("/tokens/{}?tab=permissions", full.token.id)))
        .await;
    let narrowed = text_of(&browser, "[data-testid=narrowed-permissions]").await;
    assert!(
        narrowed.contains("configs:*,agents:*,heartbeat:*,tokens:*,users:*"),
        "{narrowed}"
    );
    let grid = text_of(&browser, "table.permissions-grid").await;
    let users_row = grid
        .lines()
        .find(|l| l.starts_with("Users"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        !users_row.contains('✓'),
        "Users are out of a Manager's reach: {users_row}"
    );

    browser.click("History").await;
    browser.find("[data-testid=history]").await;
    browser.client().refresh().await.unwrap();
    browser.find("[data-testid=history]").await;
    let url = browser.client().current_url().await.unwrap();
    assert_eq!(url.query(), Some("tab=history"));
    browser.close().await;
}

/// Revoking changes something only for a token that works or would again
/// (`TokenStatus::may_revoke`, the server's rule too): the dialog leaves out the revoked and
/// the expired ones by name, and the server then does exactly what it said.
#[tokio::test]
async fn a_mixed_bulk_revoke_says_what_it_leaves_out_and_the_server_does_just_that() {
    let (server, owner) = TestServer::with_owner().await;
    let mut ids = Vec::new();
    for name in ["still live", "gone one", "lapsed", "also live"] {
        ids.push(owner.create_token(json!({"name": name})).await.token.id);
    }
    owner.revoke(ids[1]).await;
    server.sql(&format!(
        "UPDATE tokens SET expires_at = 1700000000001 WHERE id = '{}'",
        ids[2]
    ));

    let browser = open(&server, "owner", "/tokens").await;
    browser.wait_for_text("lapsed", true).await;
    browser
        .click_css("input[aria-label='Select all tokens on this page']")
        .await;
    let bar = browser.find("[data-testid=bulk-bar]").await;
    bar.find(Locator::XPath(".//button[normalize-space(.)='Revoke']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let skipped = text_of(&browser, "dialog[open] [data-testid=skipped-tokens]").await;
    assert!(
        skipped.contains("\u{201c}gone one\u{201d} (already revoked)")
            && skipped.contains("\u{201c}lapsed\u{201d} (expired)"),
        "{skipped}"
    );
    let dialog = text_of(&browser, "dialog[open]").await;
    assert!(
        !dialog.contains(&ids[1].to_string()),
        "names, never ids: {dialog}"
    );
    let confirm = browser
        .find("dialog[open] [data-testid=confirm-action]")
        .await;
    assert_eq!(confirm.text().await.unwrap(), "Revoke the other 2");
    confirm.click().await.unwrap();
    browser.wait_for_text("Revoked 2 tokens", true).await;
    let status = |t: &shared::api::Token| (t.status, t.revoked_at.is_some());
    use shared::TokenStatus::{Expired, Revoked};
    let mut now = Vec::new();
    for id in &ids {
        now.push(status(&owner.token(id).await));
    }
    assert_eq!(
        now,
        [
            (Revoked, true),
            (Revoked, true),
            (Expired, false),
            (Revoked, true)
        ],
        "the two live ones revoked, the expired one left as it was"
    );
    browser.close().await;
}

#[tokio::test]
async fn deleting_one_token_an_agent_uses_warns_by_the_agents_name() {
    let (server, owner) = TestServer::with_owner().await;
    let token = owner.agent_token("edge fleet").await;
    let agent = Telegraf::new(&server, &token.secret);
    agent
        .heartbeat(&json!({"id": "edge-07", "version": "1.39.0"}))
        .await;

    let browser = open(&server, "owner", "/tokens").await;
    browser.click("Delete token edge fleet").await;
    let warning = text_of(&browser, "dialog[open] [data-testid=agent-use-warning]").await;
    assert!(warning.contains("edge fleet (agents edge-07)"), "{warning}");
    browser.close().await;
}

#[tokio::test]
async fn the_agents_page_shows_not_reporting_and_refused() {
    let (server, owner) = TestServer::with_owner().await;
    for (name, agent_id) in [("quiet", "silent-01"), ("cut off", "refused-01")] {
        let token = owner.agent_token(name).await;
        let agent = Telegraf::new(&server, &token.secret);
        let beat = json!({"id": agent_id, "version": "1.39.0", "status": "OK"});
        agent.heartbeat(&beat).await;
        if name == "cut off" {
            owner.revoke(token.token.id).await;
            agent.heartbeat(&beat).await;
        }
    }
    server.sql("UPDATE agents SET last_seen = last_seen - 600000 WHERE id = 'silent-01'");

    let browser = open(&server, "owner", "/agents").await;
    browser.wait_for_text("refused-01", true).await;
    let rows = browser
        .client()
        .find_all(Locator::Css("[data-testid=agent-row]"))
        .await
        .unwrap();
    let mut seen = Vec::new();
    for row in rows {
        seen.push(row.text().await.unwrap());
    }
    let row = |id: &str| {
        seen.iter()
            .find(|r| r.contains(id))
            .cloned()
            .unwrap_or_default()
    };
    assert!(row("silent-01").contains("Not reporting"), "{seen:?}");
    assert!(row("refused-01").contains("Refused"), "{seen:?}");
    browser.close().await;
}

#[tokio::test]
async fn search_finds_a_token_by_its_hint_ending_and_by_its_owner() {
    let (server, owner) = TestServer::with_owner().await;
    let mia = owner.create_user("mia", "manager").await;
    mia.create_token(json!({"name": "mia's fleet"})).await;
    let mine = owner.create_token(json!({"name": "core fleet"})).await;
    let last4 = mine.token.hint[mine.token.hint.len() - 4..].to_owned();

    let browser = open(&server, "owner", "/tokens").await;
    browser.wait_for_text("mia's fleet", true).await;
    for (typed, shown, hidden) in [
        (last4.as_str(), "core fleet", "mia's fleet"),
        ("mia", "mia's fleet", "core fleet"),
    ] {
        browser.fill("#token-search", typed).await;
        browser.click("Search").await;
        browser.wait_for_text(hidden, false).await;
        assert!(browser.page_text().await.contains(shown), "{typed}");
    }
    browser.close().await;
}

#[tokio::test]
async fn each_role_sees_only_the_buttons_it_may_use() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_user("vic", "viewer").await;
    let manager: Actor = owner.create_user("mona", "manager").await;
    manager.create_token(json!({"name": "mona's"})).await;

    let viewer = open(&server, "vic", "/").await;
    viewer.find("[data-testid=whoami]").await;
    viewer.wait_for_text("Configurations", true).await;
    let url = viewer.client().current_url().await.unwrap();
    assert_eq!(
        url.path(),
        "/configs",
        "a Viewer's home is what they can read"
    );
    let text = viewer.page_text().await;
    for absent in [
        "+ Create API Token",
        "+ New configuration",
        "API Tokens",
        "Users",
    ] {
        assert!(!text.contains(absent), "a Viewer sees {absent:?}: {text}");
    }
    viewer.close().await;

    let browser = open(&server, "mona", "/tokens").await;
    browser.wait_for_text("mona's", true).await;
    let text = browser.page_text().await;
    assert!(text.contains("+ Create API Token"), "{text}");
    assert!(
        !text.contains("+ Add user") && !text.contains("Users"),
        "{text}"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_main_pages_pass_an_accessibility_audit_in_light_and_dark_mode() {
    let (server, owner) = TestServer::with_owner().await;
    let token = owner.create_token(json!({"name": "audited"})).await;
    owner.create_config("audited", "[agent]\n").await;
    let browser = open(&server, "owner", "/tokens").await;
    let mut failures = Vec::new();
    for scheme in ["light", "dark"] {
        browser.prefer_color_scheme(scheme).await;
        for (path, ready) in [
            ("/tokens", "audited"),
            (&format!("/tokens/{}", token.token.id) as &str, "Overview"),
            ("/configs", "audited"),
            ("/users", "The Owner"),
            ("/agents", "No agent has sent a heartbeat yet."),
            ("/settings", "Save policy"),
            ("/tokens?create", "audited"),
        ] {
            browser.open(&server.url(path)).await;
            browser.wait_for_text(ready, true).await;
            // The danger button is the pair dark mode got wrong: open a dialog that has one.
            if path == "/tokens" {
                browser.click("Delete token audited").await;
                browser.find("dialog[open]").await;
            }
            // The create dialog, with its configuration list open (issue 22).
            if path == "/tokens?create" {
                browser.click("+ Create API Token").await;
                browser
                    .click_css("dialog[open] input[name=config-scope][value=only]")
                    .await;
                browser
                    .find("dialog[open] input[type=checkbox][value]")
                    .await;
            }
            for violation in browser.accessibility_violations().await {
                failures.push(format!("{scheme} {path}: {violation}"));
            }
        }
    }
    tests::answers::assert_none(&failures, "accessibility violations");
    browser.close().await;
}

#[tokio::test]
async fn a_row_revokes_in_place_and_a_new_secret_comes_with_lines_ready_to_paste() {
    let (server, owner) = TestServer::with_owner().await;
    let (config, _) = tokio::join!(
        owner.create_config("edge hosts", "[agent]\n"),
        owner.create_token(json!({"name": "old agent"}))
    );
    let browser = open(&server, "owner", "/tokens").await;
    browser.click("Revoke token old agent").await;
    browser
        .click_css("dialog[open] [data-testid=confirm-action]")
        .await;
    browser.wait_for_text("Revoked 1 token", true).await;
    let row = text_of(&browser, "[data-testid=token-row]").await;
    assert!(
        row.contains("Revoked") && !row.contains("Revoke\n"),
        "{row}"
    );

    browser.click("+ Create API Token").await;
    browser
        .fill("dialog[open] input#token-name", "new agent")
        .await;
    browser.click("Create Token").await;
    let secret = text_of(&browser, "[data-testid=new-token-secret]").await;
    let lines = text_of(&browser, "[data-testid=ready-lines]").await;
    let url = server.url(&format!("/api/configs/{}/toml", config.id));
    for expected in [
        format!("TELEGRAF_CONTROLLER_TOKEN={secret} telegraf --config {url}"),
        format!("INFLUX_TOKEN={secret} telegraf --config {url}"),
        format!("curl -sS -H \"Authorization: Bearer {secret}\" {url}"),
    ] {
        assert!(lines.contains(&expected), "{expected} in {lines}");
    }
    browser.close().await;
}

#[tokio::test]
async fn deleting_a_user_says_what_goes_with_them_and_an_unknown_token_is_not_found() {
    let (server, owner) = TestServer::with_owner().await;
    let mia = owner.create_user("mia", "manager").await;
    mia.create_token(json!({"name": "mia's agent"})).await;
    let browser = open(&server, "owner", "/users").await;
    browser.click("Delete user mia").await;
    let impact = text_of(&browser, "dialog[open] [data-testid=user-impact]").await;
    assert!(
        impact.starts_with("They own 1 API token, used by 0 agents"),
        "{impact}"
    );
    browser.find("dialog[open] button.secondary").await;

    let unknown = format!("/tokens/{}", shared::TokenId::from_uuid(uuid::Uuid::nil()));
    for path in [unknown.as_str(), "/tokens/not-a-token"] {
        browser.open(&server.url(path)).await;
        browser.wait_for_text("There is no such token", true).await;
        browser.find("a[href='/tokens']").await;
    }
    browser.close().await;
}
