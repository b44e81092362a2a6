//! In the browser: the token list's state in the address (reload, back, forward),
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

mod list;
mod passwords;
mod review;
