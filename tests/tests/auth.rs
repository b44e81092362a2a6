//! Sign-in, sessions and their cookie, cross-origin refusal and throttling.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tests::actors::{login, session_from, Auth};
use tests::answers::error_code as code;
use tests::answers::expect_error;
use tests::{Actor, TestServer, PASSWORD};

#[tokio::test]
async fn setup_creates_the_owner_once() {
    let server = TestServer::start().await;
    assert!(server.setup_required().await);

    let owner = server.owner().await;
    let user = owner.user.clone().unwrap();
    assert_eq!(
        (user.username.as_str(), user.role),
        ("owner", shared::roles::Role::Owner)
    );
    assert!(!server.setup_required().await);

    let again = server
        .send(
            server
                .http()
                .post(server.url("/api/auth/setup"))
                .json(&json!({"username": "intruder", "password": PASSWORD})),
        )
        .await;
    expect_error(again, StatusCode::CONFLICT, "setup_already_done").await;
    let me: Value = owner.get_json("/api/auth/me").await;
    assert_eq!(me["user"]["username"], "owner");
    assert!(me["user"].get("password").is_none() && me["user"].get("passwordHash").is_none());
}

#[tokio::test]
async fn the_session_cookie_is_httponly_strict_and_secure_except_on_plain_localhost() {
    let server = TestServer::start().await;
    server.owner().await;
    let response = server.login_attempt("owner", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(
        attributes[0].starts_with("tc_session=") && attributes[0].len() == "tc_session=".len() + 64,
        "{cookie}"
    );
    for expected in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(
            attributes.contains(&expected),
            "{expected} missing from {cookie}"
        );
    }
    assert!(
        attributes.iter().any(|a| a.starts_with("Max-Age=")),
        "{cookie}"
    );
    assert!(
        !attributes.contains(&"Secure"),
        "plain http on 127.0.0.1 cannot keep a Secure cookie: {cookie}"
    );
    // The device cookie beside it goes to sign-in only, for about a year.
    let device = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tc_device="))
        .expect("a device cookie");
    let attributes: Vec<&str> = device.split(';').map(str::trim).collect();
    assert_eq!(attributes[0].len(), "tc_device=".len() + 64, "{device}");
    for expected in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/auth",
        "Max-Age=31536000",
    ] {
        assert!(
            attributes.contains(&expected),
            "{expected} missing from {device}"
        );
    }
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let (_server, owner) = TestServer::with_owner().await;
    assert_eq!(owner.get("/api/tokens").await.status(), StatusCode::OK);
    let response = owner
        .send(owner.request(Method::POST, "/api/auth/logout"))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("tc_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    // The old cookie, replayed, is worthless.
    expect_error(
        owner.get("/api/tokens").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let server = TestServer::start().await;
    server.owner().await;
    let mut bodies = Vec::new();
    for (username, password) in [("owner", "wrong password!"), ("nobody", PASSWORD)] {
        let response = server
            .send(
                server
                    .http()
                    .post(server.url("/api/auth/login"))
                    .json(&json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(session_from(&response).is_none());
        bodies.push(response.json::<Value>().await.unwrap());
    }
    assert_eq!(bodies[0], bodies[1]);
}

#[tokio::test]
async fn a_cross_origin_change_with_a_valid_cookie_is_refused() {
    let (server, owner) = TestServer::with_owner().await;
    let Auth::Session(cookie) = owner.auth.clone() else {
        unreachable!()
    };
    let forged = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut request = server
            .http()
            .post(server.url("/api/tokens"))
            .header("Cookie", format!("tc_session={cookie}"))
            .json(&json!({"name": "forged"}));
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("Sec-Fetch-Site", site);
        }
        server.send(request)
    };
    for (origin, site) in [
        (Some("https://evil.example"), Some("cross-site")),
        (Some("null"), None),
        (None, Some("cross-site")),
        (None, Some("same-site")),
        (None, None),
    ] {
        let response = forged(origin, site).await;
        assert_eq!(
            code(response).await,
            (StatusCode::FORBIDDEN, "cross_origin_request".into()),
            "{origin:?} {site:?}"
        );
    }
    let list: Value = owner.get_json("/api/tokens").await;
    assert_eq!(list["total"], 0, "nothing forged was created");
    // The same request from our own origin goes through, and so does one by API token without Origin.
    let same_origin = forged(None, Some("same-origin")).await;
    let status = same_origin.status();
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        same_origin.text().await.unwrap()
    );
    let token = owner.token_actor("script", "tokens:*").await;
    let scripted = token
        .post(
            "/api/tokens",
            &json!({"name": "from a script", "permissions": "tokens:read"}),
        )
        .await;
    assert_eq!(scripted.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn five_failed_sign_ins_from_one_address_refuse_that_username_there_with_429() {
    let server = TestServer::start().await;
    server.owner().await;
    let attempt = |password: &'static str| server.login_attempt("owner", password);
    for i in 0..5 {
        assert_eq!(
            attempt("wrong password!").await.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {i}"
        );
    }
    // Now even the right password is refused, with a Retry-After of about 15 minutes.
    let locked = attempt(PASSWORD).await;
    let retry = tests::answers::retry_after(&locked);
    assert!((840..=900).contains(&retry), "Retry-After {retry}");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["error"], "too_many_attempts");
    let said = body["message"].as_str().unwrap();
    assert!(
        [14, 15].iter().any(|m| said
            == format!("too many sign-in attempts from this address for this username; try again in {m} minutes")),
        "{said}"
    );
    // Another username is not affected.
    let other = server
        .send(
            server
                .http()
                .post(server.url("/api/auth/login"))
                .json(&json!({"username": "someone-else", "password": "wrong password!"})),
        )
        .await;
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_credentials_everything_but_the_public_endpoints_is_401() {
    let (server, owner) = TestServer::with_owner().await;
    let anonymous = Actor::anonymous(&server);
    let some_id = "6f1e2d3c-4b5a-4d3b-9a5c-1b4e28ba2fa1";
    for route in shared::routes::ROUTES {
        let path = route.path.replace("{id}", some_id);
        let method = Method::from_bytes(route.method.as_bytes()).unwrap();
        let mut request = anonymous.request(method, &path);
        if route.method != "GET" {
            request = request.json(&json!({}));
        }
        let status = anonymous.send(request).await.status();
        if route.endpoint.is_public() {
            assert_ne!(
                status,
                StatusCode::UNAUTHORIZED,
                "{} {}",
                route.method,
                route.path
            );
        } else {
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{} {}",
                route.method,
                route.path
            );
        }
    }
    // A garbage cookie is no credential either.
    let response = server
        .send(
            server
                .http()
                .get(server.url("/api/tokens"))
                .header("Cookie", "tc_session=forged"),
        )
        .await;
    expect_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    drop(owner);
}

#[tokio::test]
async fn d1_holds_no_password_and_no_session_id() {
    let (server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("mallory", "manager").await;
    let sessions: Vec<String> = [&owner, &manager]
        .iter()
        .map(|a| match &a.auth {
            Auth::Session(c) => c.clone(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        manager.get("/api/tokens").await.status(),
        StatusCode::OK,
        "the rows are written"
    );
    // A failed sign-in is counted without its password; a device cookie is kept as its hash.
    let guess = "a guess that must not be stored";
    let failed = server.login_attempt("mallory", guess).await;
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    let signed_in = server.login_attempt("mallory", PASSWORD).await;
    let device = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .find_map(|v| v.to_str().ok()?.strip_prefix("tc_device="))
        .and_then(|v| v.split(';').next())
        .expect("a device cookie")
        .to_owned();

    let mut all = Vec::new();
    for file in server.persisted_files() {
        all.extend(std::fs::read(file).unwrap());
    }
    let contains = |needle: &[u8]| all.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"mallory"), "the scan must see the users table");
    assert!(
        !contains(PASSWORD.as_bytes()) && !contains(guess.as_bytes()),
        "a password is stored in clear"
    );
    assert!(
        !contains(device.as_bytes()),
        "a device cookie is stored in clear"
    );
    assert!(contains(
        shared::token::sha256_hex(device.as_bytes()).as_bytes()
    ));
    for session in &sessions {
        assert!(
            !contains(session.as_bytes()),
            "a session id is stored in clear"
        );
        assert!(
            contains(shared::token::sha256_hex(session.as_bytes()).as_bytes()),
            "its hash is what is stored"
        );
    }
    assert!(
        !server.log().contains(PASSWORD),
        "a password reached the log"
    );
    drop(login(server.base(), server.http(), "mallory").await);
}
