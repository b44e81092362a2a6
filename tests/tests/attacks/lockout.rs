//! Sign-in throttling that cannot be turned against the user (OWASP's device cookies): wrong
//! passwords from one address, from many addresses, from one IPv6 /64 or with someone else's
//! device cookie never keep the real user out of a browser they have signed in from, while the
//! guessing itself stays throttled. Addresses are set with `CF-Connecting-IP`, which `wrangler
//! dev` takes from the client as the edge would set it.

use super::{expect_error, message};
use reqwest::{Response, StatusCode};
use serde_json::json;
use tests::{TestServer, PASSWORD};

/// A browser as sign-in sees it: where it connects from and the device cookie it keeps.
struct Browser {
    address: String,
    device: Option<String>,
}

impl Browser {
    fn at(address: &str) -> Self {
        Self {
            address: address.to_owned(),
            device: None,
        }
    }

    /// The same browser connecting from another address.
    fn moved_to(&self, address: &str) -> Self {
        Self {
            address: address.to_owned(),
            device: self.device.clone(),
        }
    }

    /// One sign-in attempt; a device cookie the answer sets is kept, as a browser would.
    async fn sign_in(&mut self, server: &TestServer, username: &str, password: &str) -> Response {
        let mut request = server
            .http()
            .post(server.url("/api/auth/login"))
            .header("CF-Connecting-IP", &self.address)
            .json(&json!({ "username": username, "password": password }));
        if let Some(device) = &self.device {
            request = request.header("Cookie", format!("tc_device={device}"));
        }
        let response = server.send(request).await;
        if let Some(device) = device_from(&response) {
            self.device = Some(device);
        }
        response
    }

    /// `n` wrong passwords, each answered 401.
    async fn fail(&mut self, server: &TestServer, username: &str, n: usize) {
        for i in 0..n {
            let response = self.sign_in(server, username, "not the password").await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "wrong password {i}"
            );
        }
    }
}

/// The device cookie's value from a response's `Set-Cookie` headers.
fn device_from(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .find_map(|v| {
            let value = v.to_str().ok()?.strip_prefix("tc_device=")?;
            Some(value.split(';').next()?.to_owned())
        })
}

/// A 429 whose message names the limit that refused it.
async fn refused(response: Response, naming: &str) {
    let retry = tests::answers::retry_after(&response);
    let text = expect_error(response, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    assert!(text.contains(naming), "{text}");
    assert!((1..=3600).contains(&retry), "Retry-After {retry}");
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_keep_the_user_out_from_another() {
    let server = TestServer::start().await;
    server.owner().await;
    let mut attacker = Browser::at("198.51.100.66");
    attacker.fail(&server, "owner", 5).await;
    let sixth = attacker.sign_in(&server, "owner", "not the password").await;
    refused(sixth, "from this address for this username").await;
    let right = attacker.sign_in(&server, "owner", PASSWORD).await;
    refused(right, "from this address for this username").await;

    let mut owner = Browser::at("192.0.2.10");
    let signed_in = owner.sign_in(&server, "owner", PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert!(
        owner.device.is_some(),
        "a successful sign-in sets a device cookie"
    );
}

#[tokio::test]
async fn a_known_browser_signs_in_through_a_distributed_guess_that_meets_the_ceiling() {
    let server = TestServer::start().await;
    server.owner().await;
    let mut laptop = Browser::at("192.0.2.10");
    let mut phone = Browser::at("192.0.2.11");
    for browser in [&mut laptop, &mut phone] {
        assert_eq!(
            browser.sign_in(&server, "owner", PASSWORD).await.status(),
            StatusCode::OK
        );
    }
    // 60 wrong passwords from 60 addresses: 50 are checked, then the ceiling holds.
    let ceiling = shared::throttle::PER_USERNAME.attempts as usize;
    let mut statuses = Vec::new();
    for i in 0..60 {
        let mut guesser = Browser::at(&format!("203.0.113.{}", i + 1));
        statuses.push(
            guesser
                .sign_in(&server, "owner", &format!("guess {i}"))
                .await
                .status(),
        );
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(checked, ceiling, "{statuses:?}");
    assert!(statuses[ceiling..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));

    // A new browser is refused by the ceiling even with the right password…
    let mut stranger = Browser::at("198.51.100.200");
    let response = stranger.sign_in(&server, "owner", PASSWORD).await;
    refused(response, "browsers it has not signed in from before").await;
    // …while the known laptop signs in, from wherever it is now.
    let mut laptop = laptop.moved_to("198.51.100.201");
    let before = laptop.device.clone();
    assert_eq!(
        laptop.sign_in(&server, "owner", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_ne!(
        laptop.device, before,
        "each sign-in issues a new device cookie"
    );

    // A known device that fails five times itself loses its exemption: judged as an unknown
    // browser, it meets the ceiling.
    phone.fail(&server, "owner", 5).await;
    let response = phone.sign_in(&server, "owner", PASSWORD).await;
    refused(response, "browsers it has not signed in from before").await;
    // The laptop's cookie, replaced at its last sign-in, no longer helps whoever copied it.
    let mut copy = Browser {
        address: "198.51.100.202".into(),
        device: before,
    };
    refused(
        copy.sign_in(&server, "owner", PASSWORD).await,
        "browsers it has",
    )
    .await;
    assert_eq!(
        laptop.sign_in(&server, "owner", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_forged_or_another_users_device_cookie_gives_no_exemption() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_user("alice", "viewer").await;
    let mut alices = Browser::at("192.0.2.20");
    assert_eq!(
        alices.sign_in(&server, "alice", PASSWORD).await.status(),
        StatusCode::OK
    );
    let mut owners = Browser::at("192.0.2.21");
    assert_eq!(
        owners.sign_in(&server, "owner", PASSWORD).await.status(),
        StatusCode::OK
    );

    let address = "198.51.100.30";
    Browser::at(address).fail(&server, "owner", 5).await;
    let forged = "ab".repeat(32);
    for device in [
        alices.device.clone(),
        Some(forged),
        Some("not-a-device".into()),
    ] {
        let mut browser = Browser {
            address: address.into(),
            device: device.clone(),
        };
        let response = browser.sign_in(&server, "owner", PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{device:?}"
        );
    }
    // The Owner's own device cookie, from that same address, is the exemption.
    let mut owners = owners.moved_to(address);
    assert_eq!(
        owners.sign_in(&server, "owner", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn failures_from_one_ipv6_64_count_together_and_another_64_is_apart() {
    let server = TestServer::start().await;
    server.owner().await;
    Browser::at("2001:db8:5:5::1")
        .fail(&server, "owner", 3)
        .await;
    Browser::at("2001:db8:5:5::2")
        .fail(&server, "owner", 2)
        .await;
    let mut same = Browser::at("2001:db8:5:5:ffff:1:2:3");
    let response = same.sign_in(&server, "owner", PASSWORD).await;
    refused(response, "from this address for this username").await;
    let mut next = Browser::at("2001:db8:5:6::1");
    assert_eq!(
        next.sign_in(&server, "owner", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn one_address_cannot_spread_guesses_over_many_usernames() {
    let (server, owner) = TestServer::with_owner().await;
    owner.create_user("alice", "viewer").await;
    let mut alices = Browser::at("192.0.2.40");
    assert_eq!(
        alices.sign_in(&server, "alice", PASSWORD).await.status(),
        StatusCode::OK
    );

    let address = "198.51.100.40";
    let per_address = shared::throttle::PER_ADDRESS.attempts as usize;
    for i in 0..per_address {
        Browser::at(address)
            .fail(&server, &format!("user{i}"), 1)
            .await;
    }
    let mut guesser = Browser::at(address);
    let response = guesser.sign_in(&server, "alice", "a first guess").await;
    let (status, text) = message(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        text.starts_with("too many sign-in attempts from this address;"),
        "{text}"
    );
    // A known browser behind the same address is not held up.
    let mut alices = alices.moved_to(address);
    assert_eq!(
        alices.sign_in(&server, "alice", PASSWORD).await.status(),
        StatusCode::OK
    );
}
