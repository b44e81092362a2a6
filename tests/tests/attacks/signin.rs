//! Holes 3 and 4 and the cookie of 11: sign-in throttling under concurrency, what failed
//! sign-ins may store, and the `__Host-` session cookie over https.

use reqwest::StatusCode;
use serde_json::json;
use tests::{TestServer, PASSWORD};

// Hole 3: login throttling loses under concurrency.

const ADDRESS: &str = "198.51.100.9";

#[tokio::test]
async fn two_hundred_parallel_wrong_passwords_get_at_most_five_checked() {
    let server = TestServer::start().await;
    let _owner = server.owner().await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..200 {
        let (http, url) = (server.http().clone(), server.url("/api/auth/login"));
        set.spawn(async move {
            let guess = json!({"username": "owner", "password": format!("wrong guess {i:04}")});
            let request = http
                .post(url)
                .header("CF-Connecting-IP", ADDRESS)
                .json(&guess);
            tests::contract::send(&http, request).await.status()
        });
    }
    let mut statuses = Vec::new();
    while let Some(joined) = set.join_next().await {
        statuses.push(joined.expect("answered"));
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    println!("200 parallel wrong passwords: {checked} checked (401), {throttled} refused (429)");
    assert!(checked <= 5, "{checked} passwords were checked");
    assert_eq!(checked + throttled, 200, "{statuses:?}");

    let right = server
        .send(
            server
                .http()
                .post(server.url("/api/auth/login"))
                .header("CF-Connecting-IP", ADDRESS)
                .json(&json!({"username": "owner", "password": PASSWORD})),
        )
        .await;
    let retry = tests::answers::retry_after(&right);
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
}

// Hole 4: failed sign-ins can fill D1.

#[tokio::test]
async fn failed_sign_ins_cannot_fill_the_database() {
    let server = TestServer::start().await;
    let _owner = server.owner().await;
    let huge = "u".repeat(60_000);
    let response = server.login_attempt(&huge, "whatever it is").await;
    assert!(response.status().is_client_error());
    let longest = server.sql("SELECT COALESCE(MAX(length(username)), 0) AS n FROM signin_failures");
    assert!(
        longest[0]["n"].as_i64().unwrap() <= 64,
        "an invalid username was stored: {longest:?}"
    );

    // Rows older than the window go, whoever they were for.
    server.sql(
        "INSERT INTO signin_failures (username, address, at) \
         VALUES ('someone-else', '192.0.2.1', 1000), ('another', '192.0.2.2', 2000)",
    );
    let wrong = server.login_attempt("owner", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let old = server.sql("SELECT COUNT(*) AS n FROM signin_failures WHERE at < 1000000");
    assert_eq!(
        old[0]["n"], 0,
        "stale failures of other usernames are purged"
    );
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_prefixed_and_only_that_name_is_read() {
    let server = TestServer::start().await;
    // wrangler dev serves plain http on localhost; Miniflare's MF-Original-URL gives the worker
    // the host a request had at Cloudflare's edge (the local proxy keeps the scheme http, which
    // is why Strict-Transport-Security, sent only over https, cannot be seen here).
    let origin = "https://tokens.example.com";
    let https = |method: reqwest::Method, path: &str| {
        server
            .http()
            .request(method, server.url(path))
            .header("MF-Original-URL", format!("{origin}{path}"))
            .header("Origin", origin)
    };
    let setup = server
        .send(
            https(reqwest::Method::POST, "/api/auth/setup")
                .json(&json!({"username": "owner", "password": PASSWORD})),
        )
        .await;
    assert_eq!(setup.status(), StatusCode::CREATED);
    let set_cookie = setup.headers()["set-cookie"].to_str().unwrap().to_owned();
    let device_cookie = setup
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Secure-tc_device="))
        .expect("a device cookie")
        .to_owned();
    for expected in [
        "; Secure",
        "; Path=/api/auth;",
        "; HttpOnly",
        "; SameSite=Strict",
    ] {
        assert!(device_cookie.contains(expected), "{device_cookie}");
    }
    assert!(
        set_cookie.starts_with("__Host-tc_session=")
            && set_cookie.contains("; Secure")
            && set_cookie.contains("; Path=/")
            && !set_cookie.contains("Domain"),
        "{set_cookie}"
    );
    let value = set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-tc_session=")
        .to_owned();
    let me = |name: &str| {
        server.send(
            https(reqwest::Method::GET, "/api/auth/me").header("Cookie", format!("{name}={value}")),
        )
    };
    assert_eq!(me("__Host-tc_session").await.status(), StatusCode::OK);
    // A cookie without the prefix, which a subdomain or a plain-http page could have planted,
    // is not a session over https.
    assert_eq!(me("tc_session").await.status(), StatusCode::UNAUTHORIZED);
}
