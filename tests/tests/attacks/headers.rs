//! Hole 10: the pages and the API answers carry a strict security policy, and the app runs
//! under it.

use reqwest::StatusCode;
use serde_json::json;
use tests::TestServer;

// Hole 10: the pages carry no security headers.

#[tokio::test]
async fn pages_and_answers_carry_a_strict_security_policy() {
    use base64::Engine;
    use sha2::Digest;
    let server = TestServer::start().await;
    let page = server.get("/tokens").await;
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    let html = page.text().await.unwrap();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "'wasm-unsafe-eval'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp:?}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Every inline script the page carries is allowed by its hash, and nothing else inline is.
    let mut inline = 0;
    for part in html.split("<script").skip(1) {
        let (attributes, rest) = part.split_once('>').unwrap();
        if attributes.contains("src=") {
            continue;
        }
        let body = rest.split("</script>").next().unwrap();
        let digest = sha2::Sha256::digest(body.as_bytes());
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
        inline += 1;
    }
    assert!(inline >= 1, "Trunk's loader is inline: {html}");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert!(header("strict-transport-security").contains("max-age="));

    let api = server.get("/api/health").await;
    let api_headers = api.headers();
    let get = |name: &str| {
        api_headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    assert_eq!(get("cache-control"), "no-store");
    assert!(get("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(get("x-frame-options"), "DENY");
    assert_eq!(get("referrer-policy"), "no-referrer");
}

#[tokio::test]
async fn the_app_starts_under_its_policy_with_no_violation() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_token(json!({"name": "shown"})).await;
    let browser = tests::Browser::start().await;
    browser.sign_in(&server, "owner").await;
    browser.wait_for_text("shown", true).await;
    // The page really runs under the strict policy…
    let policy = browser
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             fetch(location.href).then(r => done(r.headers.get('content-security-policy') || ''));",
            vec![],
        )
        .await
        .unwrap();
    let policy = policy.as_str().unwrap_or_default().to_owned();
    assert!(
        policy.contains("'wasm-unsafe-eval'") && policy.contains("frame-ancestors 'none'"),
        "the page is served without its policy: {policy:?}"
    );
    // …and violations fire as events: count them from here on across the pages and dialogs.
    browser
        .client()
        .execute(
            "window.__violations = []; document.addEventListener('securitypolicyviolation', \
             e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));",
            vec![],
        )
        .await
        .unwrap();
    for (href, text) in [
        ("/users", "+ Add user"),
        ("/agents", "No agent has sent a heartbeat yet."),
        ("/configs", "Configurations"),
        ("/tokens", "shown"),
    ] {
        browser
            .find(&format!("nav a[href='{href}']"))
            .await
            .click()
            .await
            .unwrap();
        browser.wait_for_text(text, true).await;
    }
    browser.click("+ Create API Token").await;
    browser.wait_for_text("Create Token", true).await;
    let violations = browser
        .client()
        .execute("return window.__violations;", vec![])
        .await
        .unwrap();
    assert_eq!(violations, json!([]), "CSP violations: {violations}");
    // The first load itself ran under the policy: had the loader's hash been wrong, nothing
    // above would have rendered. The browser's console says the same.
    let logs = browser.console_errors().await;
    assert!(
        !logs.iter().any(|l| l.contains("Content Security Policy")),
        "{logs:?}"
    );
    browser.close().await;
}
