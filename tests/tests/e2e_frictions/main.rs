//! In the browser: the frictions a newcomer met, each walked as they met it: accounts and
//! selections (`accounts`), pages and what they say (`pages`), forms and dialogs (`forms`),
//! phones and fields (`layout`).

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

mod accounts;
mod forms;
mod layout;
mod pages;
