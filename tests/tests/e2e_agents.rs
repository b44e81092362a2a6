//! Configurations and Agents pages in the browser.

use serde_json::json;
use tests::{Browser, TestServer};

#[tokio::test]
async fn create_a_configuration_in_the_toml_editor_and_see_an_agent_report() {
    let (server, owner) = TestServer::with_owner().await;
    let browser = Browser::start().await;
    browser.sign_in(&server, "owner").await;
    browser.open(&server.url("/configs")).await;
    browser.wait_for_text("No configurations yet.", true).await;

    browser.click("+ New configuration").await;
    browser
        .fill("dialog[open] #config-name", "edge hosts")
        .await;
    browser
        .fill(
            "dialog[open] #config-toml",
            "[agent]\ninterval = \"10s\"\n[[inputs.cpu]\n",
        )
        .await;
    browser.click("Save configuration").await;
    browser.wait_for_text("line 3, column", true).await;

    browser
        .fill(
            "dialog[open] #config-toml",
            "[agent]\ninterval = \"10s\"\n[[inputs.cpu]]\n",
        )
        .await;
    browser.click("Save configuration").await;
    browser
        .wait_for_text("Saved \u{201c}edge hosts\u{201d}", true)
        .await;
    let configs: serde_json::Value = owner.get_json("/api/configs").await;
    let id = configs["items"][0]["id"].as_str().unwrap().to_owned();
    browser
        .wait_for_text(
            &format!("telegraf --config {}/api/configs/{id}/toml", server.base()),
            true,
        )
        .await;

    let token = owner.agent_token("edge fleet").await;
    let beat = server.send(server.http().post(server.url("/agents/heartbeat")).bearer_auth(&token.secret)
        .json(&json!({"id": "edge-7", "version": "Telegraf 1.39.0", "hostname": "edge-7.example", "status": "OK"}))).await;
    assert_eq!(beat.status(), reqwest::StatusCode::NO_CONTENT);
    browser.open(&server.url("/agents")).await;
    browser.wait_for_text("edge-7.example", true).await;
    let page = browser.page_text().await;
    assert!(
        page.contains("edge fleet") && page.contains("Telegraf 1.39.0"),
        "{page}"
    );
    browser.close().await;
}

/// A fleet larger than a page: the page shows the most recently seen and loads the rest when
/// asked; a search is answered by the server over the whole fleet, not over what is loaded.
#[tokio::test]
async fn a_fleet_larger_than_a_page_loads_more_and_is_searched_on_the_server() {
    let (server, owner) = TestServer::with_owner().await;
    let token = owner.agent_token("fleet").await.token.id;
    server.sql(&format!(
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 129) \
         INSERT INTO agents (owner_key, id, hostname, version, last_seen, interval_ms, token_id) \
         SELECT '{}', printf('agent-%03d', i), printf('host-%03d.example', i), 'Telegraf 1.39.0', \
           {} - i * 1000, 10000, '{token}' FROM k",
        owner.user_id(),
        tests::now_ms()
    ));
    let browser = Browser::signed_in(&server, "owner", "/agents").await;
    browser
        .wait_for_text("Showing the 100 most recently seen; more below", true)
        .await;
    let rows = || async {
        browser
            .script("return document.querySelectorAll('[data-testid=agent-row]').length")
            .await
    };
    assert_eq!(rows().await, json!(100));
    assert!(!browser.page_text().await.contains("host-129.example"));
    browser.click("Load more agents").await;
    browser.wait_for_text("130 agents", true).await;
    assert_eq!(rows().await, json!(130));
    assert!(!browser.page_text().await.contains("Load more agents"));

    // The oldest agents were never on the first page: the server finds them.
    browser.open(&server.url("/agents?q=host-12")).await;
    browser.wait_for_text("10 agents", true).await;
    assert!(browser.page_text().await.contains("host-129.example"));
    browser.close().await;
}

/// A token's Overview says which configurations and addresses it is limited to (issue 22).
#[tokio::test]
async fn the_overview_says_what_a_token_is_limited_to() {
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("site a", "[agent]\n").await;
    let limited = owner
        .create_token(json!({"name": "site a agents", "preset": "telegraf-agent",
            "configScope": [config.id], "allowedAddresses": ["203.0.113.0/24"]}))
        .await;
    let open = owner.agent_token("anywhere").await;
    let browser =
        Browser::signed_in(&server, "owner", &format!("/tokens/{}", limited.token.id)).await;
    browser
        .wait_for_text("Only 1 configuration: site a", true)
        .await;
    let page = browser.page_text().await;
    assert!(page.contains("203.0.113.0/24"), "{page}");
    browser
        .open(&server.url(&format!("/tokens/{}", open.token.id)))
        .await;
    browser.wait_for_text("All configurations", true).await;
    assert!(browser.page_text().await.contains("Any address"));
    browser.close().await;
}
