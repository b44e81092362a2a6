//! Headless Chromium driven over WebDriver by chromedriver, both owned by the test.

use crate::process::ChildGroup;
use crate::{free_port, wait};
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Command, Stdio};
use std::time::Duration;

mod commands;
use commands::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a page gets to show what a test waits for.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a navigation gets to reach its load event before it is tried once more, rather
/// than chromedriver's 300 s: a renderer that misses a message (seen once in CI on two busy
/// cores as `Timed out receiving message from renderer`) then costs a test one minute, not five.
const PAGE_LOAD: Duration = Duration::from_secs(45);

pub struct Browser {
    client: Client,
    _profile: tempfile::TempDir,
    _driver: ChildGroup,
}

impl Browser {
    pub async fn start() -> Self {
        let port = free_port();
        let mut command = Command::new(CHROMEDRIVER);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut driver = ChildGroup::spawn("chromedriver", command);
        let status = format!("http://127.0.0.1:{port}/status");
        wait::until("chromedriver to listen", Duration::from_secs(20), || {
            if let Some(code) = driver.exited() {
                panic!("chromedriver exited early ({code})");
            }
            let request = reqwest::get(status.clone());
            async move { request.await.ok().map(|_| ()) }
        })
        .await;

        let profile = tempfile::Builder::new()
            .prefix("tokens-chromium-")
            .tempdir()
            .expect("temp dir");
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--window-size=1280,900",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": CHROMIUM, "args": args }),
        );
        // Keeps the console, so a test can read what the page reported (CSP violations).
        caps.insert(
            "goog:loggingPrefs".into(),
            serde_json::json!({ "browser": "ALL" }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("start a Chromium session");
        client
            .update_timeouts(TimeoutConfiguration::new(None, Some(PAGE_LOAD), None))
            .await
            .expect("set the page-load timeout");
        Browser {
            client,
            _profile: profile,
            _driver: driver,
        }
    }

    /// Navigates to `url` and waits for its load event. A navigation that times out is tried
    /// once more (and said so on stderr); a second failure, or any other, fails the test.
    pub async fn open(&self, url: &str) {
        match self.client.goto(url).await {
            Ok(()) => return,
            Err(e) if is_timeout(&e) => {
                eprintln!("opening {url} timed out ({e}); trying once more");
            }
            Err(e) => panic!("open {url}: {e}"),
        }
        if let Err(e) = self.client.goto(url).await {
            panic!("open {url} (second try): {e}");
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The console messages at level SEVERE since the last call (chromedriver's log endpoint).
    pub async fn console_errors(&self) -> Vec<String> {
        let entries = self
            .client
            .issue_cmd(Vendor::console_log())
            .await
            .expect("read the browser log");
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Waits for the element and returns it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element matching {css}: {e}"))
    }

    /// Waits for the element and returns its text, trimmed.
    pub async fn text_of(&self, css: &str) -> String {
        let text = self.find(css).await.text().await;
        text.unwrap_or_else(|e| panic!("no text in {css}: {e}"))
            .trim()
            .to_owned()
    }

    /// A button (or link) by its visible text or accessible label.
    pub async fn button(&self, text: &str) -> fantoccini::elements::Element {
        let xpath = format!(
            "//button[normalize-space(.)={q} or @aria-label={q}]",
            q = xpath_literal(text)
        );
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no button {text:?}: {e}"))
    }

    /// Clicks the button (or link) with this visible text or accessible label.
    pub async fn click(&self, text: &str) {
        click(self.button(text).await, text).await;
    }

    /// Presses Escape where the focus is (a dialog's cancel).
    pub async fn press_escape(&self) {
        self.press(&fantoccini::key::Key::Escape.to_string()).await;
    }

    pub async fn click_css(&self, css: &str) {
        click(self.find(css).await, css).await;
    }

    /// Types into the field matching `css`, after clearing it.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Makes the page match `prefers-color-scheme: dark` (or light), as a browser set to dark
    /// mode would, through chromedriver's DevTools passthrough.
    pub async fn prefer_color_scheme(&self, scheme: &str) {
        let command = Vendor::devtools(
            "Emulation.setEmulatedMedia",
            serde_json::json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
        self.client
            .issue_cmd(command)
            .await
            .unwrap_or_else(|e| panic!("emulate {scheme} mode: {e}"));
    }

    /// A Chrome DevTools Protocol command on the page's target (chromedriver's passthrough):
    /// network and CPU throttling, the cache, scripts run in every new document.
    pub async fn devtools(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        self.client
            .issue_cmd(Vendor::devtools(cmd, params))
            .await
            .unwrap_or_else(|e| panic!("DevTools {cmd}: {e}"))
    }

    /// Runs axe-core (WCAG 2 A and AA rules, colour contrast included) on the page as it is
    /// now; returns one line per violation, naming the rule and the elements.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe =
            std::fs::read_to_string(crate::repo_root().join("node_modules/axe-core/axe.min.js"))
                .expect("axe-core from npm (make setup installs it)");
        self.client
            .execute(&axe, vec![])
            .await
            .expect("load axe-core into the page");
        let script = "const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] })
              .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe failed: ' + e]));";
        let found = self
            .client
            .execute_async(script, vec![])
            .await
            .expect("run axe-core");
        strings(&found)
    }

    /// The signed-in shell's "who am I" text: display name and role.
    pub async fn whoami(&self) -> String {
        self.find("[data-testid=whoami]")
            .await
            .text()
            .await
            .expect("the whoami text")
    }

    /// A new browser, signed in as `username`, on `path`.
    pub async fn signed_in(server: &crate::TestServer, username: &str, path: &str) -> Browser {
        let browser = Browser::start().await;
        browser.sign_in(server, username).await;
        browser.open(&server.url(path)).await;
        browser
    }

    /// Signs in through the sign-in page and waits for the signed-in shell.
    pub async fn sign_in(&self, server: &crate::TestServer, username: &str) {
        self.open(&server.url("/signin")).await;
        self.fill("#signin-username", username).await;
        self.fill("#signin-password", crate::PASSWORD).await;
        self.click("Sign in").await;
        self.find("[data-testid=whoami]").await;
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits until the page's text contains (or, with `present = false`, no longer contains) `text`.
    pub async fn wait_for_text(&self, text: &str, present: bool) {
        wait::until(
            &format!(
                "page text {} {text:?}",
                if present { "to show" } else { "to lose" }
            ),
            UI_TIMEOUT,
            || async { (self.page_text().await.contains(text) == present).then_some(()) },
        )
        .await;
    }

    /// Resizes the window so the page is `width` CSS pixels wide (a phone at 360).
    pub async fn set_width(&self, width: u32) {
        self.client
            .set_window_size(width, 800)
            .await
            .unwrap_or_else(|e| panic!("resize to {width} px: {e}"));
        let inner = self.script("return window.innerWidth").await;
        assert_eq!(
            inner.as_u64(),
            Some(u64::from(width)),
            "the window resized to {width} px"
        );
    }

    /// How many CSS pixels the page is wider than the window (0 when nothing overflows).
    pub async fn horizontal_overflow(&self) -> i64 {
        self.script("return document.documentElement.scrollWidth - window.innerWidth")
            .await
            .as_i64()
            .unwrap_or(i64::MAX)
    }

    /// What a script returns, as the strings of the array it returned.
    pub async fn script_strings(&self, js: &str) -> Vec<String> {
        strings(&self.script(js).await)
    }

    pub async fn script(&self, js: &str) -> serde_json::Value {
        self.client
            .execute(js, vec![])
            .await
            .unwrap_or_else(|e| panic!("run {js}: {e}"))
    }

    /// Saves a screenshot of the window as `target/screenshots/<name>.png`, for review.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = crate::repo_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("create target/screenshots");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    }

    /// Presses a key (or types text) into whatever has focus, as a keyboard would.
    pub async fn press(&self, keys: &str) {
        let focused = self
            .client
            .active_element()
            .await
            .expect("the focused element");
        focused
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("press {keys:?}: {e}"));
    }

    /// What has focus: its accessible label, or its text, with its tag name.
    pub async fn focused(&self) -> String {
        self.script(
            "const e = document.activeElement; \
             return e.tagName.toLowerCase() + ': ' + (e.getAttribute('aria-label') || e.textContent.trim().slice(0, 60));",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Presses Tab until the focused element's description contains `wanted` (at most 60
    /// times), as a keyboard user moves to a control.
    pub async fn tab_to(&self, wanted: &str) {
        for _ in 0..60 {
            if self.focused().await.contains(wanted) {
                return;
            }
            self.press(&fantoccini::key::Key::Tab.to_string()).await;
        }
        panic!(
            "Tab never reached {wanted:?}; focus is on {}",
            self.focused().await
        );
    }

    /// Ends the WebDriver session; the driver's drop then reaps Chromium.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Whether WebDriver answered "timeout" (the page-load timeout, or the renderer's).
fn is_timeout(e: &CmdError) -> bool {
    matches!(e, CmdError::Standard(w) if w.error == ErrorStatus::Timeout)
}
