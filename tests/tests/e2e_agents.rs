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
