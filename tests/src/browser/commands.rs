//! What the browser harness sends beyond WebDriver's common commands, and its small helpers.

pub(super) fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// A chromedriver vendor command: a POST to `session/{id}/<path>` with a JSON body (the
/// browser console log, or a Chrome DevTools Protocol command passed through).
#[derive(Debug)]
pub(super) struct Vendor {
    path: &'static str,
    body: serde_json::Value,
}

impl Vendor {
    pub(super) fn console_log() -> Self {
        Vendor {
            path: "se/log",
            body: serde_json::json!({ "type": "browser" }),
        }
    }

    pub(super) fn devtools(cmd: &str, params: serde_json::Value) -> Self {
        Vendor {
            path: "goog/cdp/execute",
            body: serde_json::json!({ "cmd": cmd, "params": params }),
        }
    }
}

impl fantoccini::wd::WebDriverCompatibleCommand for Vendor {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Clicks as a person does: what is pressed is first scrolled to the middle of the screen, so
/// a bar that stays at the top (the bulk bar) does not cover it.
pub(super) async fn click(element: fantoccini::elements::Element, what: &str) {
    let _ = element
        .clone()
        .client()
        .execute(
            "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' })",
            vec![serde_json::to_value(&element).unwrap_or_default()],
        )
        .await;
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {what}: {e}"));
}

/// The strings of a JSON array (anything else in it is skipped).
pub(super) fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}
