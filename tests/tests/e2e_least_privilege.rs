//! Issue 22 in the browser: a token limited to some configurations is made in the create
//! dialog, its ready-to-paste lines name only those, and a download of another shows in its
//! history as a refusal; the Manage tab changes what it reaches; the Owner sets a lifetime
//! policy, which the create dialog and the token list then follow.

use reqwest::StatusCode;
use serde_json::json;
use shared::api::{Token, TokenPolicySettings};
use shared::config::{agent_command, TokenVariable};
use shared::token_policy::Standing;
use shared::token_scope::OUTSIDE_SCOPE_REFUSAL;
use tests::{Browser, Telegraf, TestServer};

const TOML: &str = "[agent]\n  interval = \"10s\"\n";

async fn text_of(browser: &Browser, css: &str) -> String {
    browser.find(css).await.text().await.unwrap()
}

#[tokio::test]
async fn a_scoped_token_made_in_the_dialog_pastes_its_own_lines_and_shows_a_refusal() {
    let (server, owner) = TestServer::with_owner().await;
    let a = owner.create_config("site a", TOML).await;
    let b = owner
        .create_config("site b", "# b's database password\n")
        .await;
    owner.create_config("site c", TOML).await;
    let browser = Browser::signed_in(&server, "owner", "/tokens").await;
    browser
        .devtools(
            "Browser.grantPermissions",
            json!({"origin": server.base(), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}),
        )
        .await;

    browser.click("+ Create API Token").await;
    browser
        .fill("dialog[open] input#token-name", "site a agents")
        .await;
    browser
        .click_css("dialog[open] input[name=config-scope][value=only]")
        .await;
    // The list is searchable: "a" narrows it to the one configuration.
    browser
        .fill("dialog[open] input[type=search]", "site a")
        .await;
    browser
        .click_css(&format!(
            "dialog[open] input[type=checkbox][value='{}']",
            a.id
        ))
        .await;
    browser.wait_for_text("1 chosen", true).await;
    browser.click("Create Token").await;
    let secret = text_of(&browser, "[data-testid=new-token-secret]").await;

    // The lines ready to paste offer only the configuration the token may read.
    let offered = browser
        .script_strings(
            "return [...document.querySelectorAll('#ready-config option')].map(o => o.textContent)",
        )
        .await;
    assert_eq!(offered, vec!["site a"]);
    browser.click("Copy: Telegraf 1.39 and later").await;
    browser
        .wait_for_text("Copied to the clipboard.", true)
        .await;
    let copied = browser
        .script("return navigator.clipboard.readText()")
        .await;
    let url = server.url(&format!("/api/configs/{}/toml", a.id));
    let line = agent_command(TokenVariable::TelegrafController, Some(secret.trim()), &url);
    assert!(
        line.starts_with("TELEGRAF_CONTROLLER_TOKEN=tc-apiv1_"),
        "{line}"
    );
    assert_eq!(copied.as_str(), Some(line.as_str()));
    browser.click("Done").await;

    // The line works as pasted; the token reaches nothing else.
    let agent = Telegraf::new(&server, secret.trim());
    assert_eq!(agent.fetch(a.id).await.status(), StatusCode::OK);
    assert_eq!(agent.fetch(b.id).await.status(), StatusCode::NOT_FOUND);
    let made = owner.tokens("?q=site a agents").await.items;
    let id = made[0].id;
    assert_eq!(made[0].config_scope, Some(vec![a.id]));

    browser
        .open(&server.url(&format!("/tokens/{id}?tab=history")))
        .await;
    browser.wait_for_text(OUTSIDE_SCOPE_REFUSAL, true).await;
    let history = text_of(&browser, "[data-testid=history]").await;
    assert!(history.contains("Refused"), "{history}");
    browser.close().await;
}

#[tokio::test]
async fn the_manage_tab_narrows_a_token_and_the_owner_sets_a_lifetime_policy() {
    let (server, owner) = TestServer::with_owner().await;
    let a = owner.create_config("site a", TOML).await;
    let b = owner.create_config("site b", TOML).await;
    let token = owner.agent_token("everywhere").await;
    let browser = Browser::signed_in(
        &server,
        "owner",
        &format!("/tokens/{}?tab=manage", token.token.id),
    )
    .await;
    browser.find("[data-testid=manage-reach]").await;
    browser
        .click_css("[data-testid=manage-reach] input[name=config-scope][value=only]")
        .await;
    browser
        .click_css(&format!(
            "[data-testid=manage-reach] input[type=checkbox][value='{}']",
            b.id
        ))
        .await;
    browser
        .fill(
            "[data-testid=manage-reach] textarea#token-addresses",
            "203.0.113.0/24\n2001:db8::/32",
        )
        .await;
    browser.click("Save reach").await;
    browser.wait_for_text("Saved what", true).await;
    let now: Token = owner
        .get_json(&format!("/api/tokens/{}", token.token.id))
        .await;
    assert_eq!(now.config_scope, Some(vec![b.id]));
    assert_eq!(
        now.allowed_addresses,
        Some(vec![
            "203.0.113.0/24".to_owned(),
            "2001:db8::/32".to_owned()
        ])
    );
    // A bad block is named, and nothing changes.
    browser
        .fill(
            "[data-testid=manage-reach] textarea#token-addresses",
            "203.0.113.0/33",
        )
        .await;
    browser.click("Save reach").await;
    browser.wait_for_text("203.0.113.0/33", true).await;
    let unchanged: Token = owner
        .get_json(&format!("/api/tokens/{}", token.token.id))
        .await;
    assert_eq!(unchanged.allowed_addresses, now.allowed_addresses);

    // The configurations page counts the token against site b only.
    browser.open(&server.url("/configs")).await;
    browser.wait_for_text("site b", true).await;
    let counts = browser
        .script_strings("return [...document.querySelectorAll('[data-testid=scoped-tokens]')].map(c => c.textContent)")
        .await;
    assert_eq!(counts, vec!["0", "1"], "site a, site b");
    let _ = a;

    // The Owner sets a policy on the settings page.
    browser.open(&server.url("/settings")).await;
    browser.fill("#policy-days", "30").await;
    browser.click("Save policy").await;
    browser
        .wait_for_text("Saved: tokens live at most 30 days", true)
        .await;
    let policy: TokenPolicySettings = owner.get_json("/api/settings/token-policy").await;
    assert_eq!(policy.max_lifetime.as_deref(), Some("P30D"));

    // The list marks the token made without expiry, and filters on it.
    browser.open(&server.url("/tokens?policy=beyond")).await;
    browser.find("[data-testid=beyond-policy]").await;
    let rows = browser
        .script_strings("return [...document.querySelectorAll('[data-testid=token-row] td.name')].map(c => c.textContent)")
        .await;
    assert_eq!(rows, vec!["everywhere"]);
    let listed: Token = owner
        .get_json(&format!("/api/tokens/{}", token.token.id))
        .await;
    assert_eq!(listed.lifetime_policy, Some(Standing::Beyond));

    // The create dialog offers nothing beyond the policy, and says why.
    browser.click("+ Create API Token").await;
    let limit = text_of(&browser, "dialog[open] [data-testid=policy-limit]").await;
    assert!(limit.contains("at most 30 days"), "{limit}");
    let choices = browser
        .script_strings(
            "return [...document.querySelectorAll('#token-expiry option')].map(o => o.value)",
        )
        .await;
    assert_eq!(choices, vec!["7", "30", "custom"]);
    browser.close().await;
}
