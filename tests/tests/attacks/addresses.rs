//! Issue 22: a token limited to client addresses works from those only, on every route, and
//! its refused heartbeat writes nothing.

use super::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::api::{EventKind, Token};
use tests::Telegraf;

/// A token limited to addresses works from inside its blocks only: from elsewhere every route
/// refuses it with its own message, the refusal is kept, and its heartbeat writes nothing.
#[tokio::test]
async fn a_token_limited_to_addresses_works_from_those_only() {
    use shared::addresses::ADDRESS_REFUSED;
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("site a", TOML).await;
    let token = owner
        .create_token(
            json!({"name": "site a", "permissions": "configs:read,heartbeat:write,tokens:read",
            "allowedAddresses": ["203.0.113.77/24", "2001:db8::/32"]}),
        )
        .await;
    assert_eq!(
        token.token.allowed_addresses,
        Some(vec![
            "203.0.113.0/24".to_owned(),
            "2001:db8::/32".to_owned()
        ])
    );
    let telegraf = Telegraf::new(&server, &token.secret);
    let toml = format!("/api/configs/{}/toml", config.id);
    let beat = |id: &str| json!({"id": id, "version": "Telegraf 1.39.0", "status": "OK"});
    for ip in ["203.0.113.9", "2001:db8::7"] {
        let got = server
            .send(
                telegraf
                    .request(Method::GET, &toml)
                    .header("CF-Connecting-IP", ip),
            )
            .await;
        assert_eq!(got.status(), StatusCode::OK, "{ip}");
    }
    for ip in ["198.51.100.9", "2001:db9::1", "::ffff:203.0.114.1"] {
        let head = telegraf
            .request(Method::HEAD, &toml)
            .header("CF-Connecting-IP", ip);
        assert_eq!(
            server.send(head).await.status(),
            StatusCode::UNAUTHORIZED,
            "HEAD {ip}"
        );
        for request in [
            telegraf.request(Method::GET, &toml),
            telegraf.request(Method::GET, "/api/tokens/capabilities"),
            telegraf
                .request(Method::POST, "/agents/heartbeat")
                .json(&beat("outside")),
        ] {
            let (status, text) =
                message(server.send(request.header("CF-Connecting-IP", ip)).await).await;
            assert_eq!(
                (status, text.as_str()),
                (StatusCode::UNAUTHORIZED, ADDRESS_REFUSED),
                "{ip}"
            );
        }
    }
    let inside = telegraf
        .request(Method::POST, "/agents/heartbeat")
        .json(&beat("inside"))
        .header("CF-Connecting-IP", "203.0.113.10");
    assert_eq!(server.send(inside).await.status(), StatusCode::NO_CONTENT);
    let agents: shared::api::AgentList = owner.get_json("/api/agents").await;
    let ids: Vec<&str> = agents.items.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["inside"], "the refused heartbeat wrote nothing");
    let refusals = events_of(&owner, token.token.id, EventKind::Refused).await;
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(refusals[0]
        .detail
        .as_deref()
        .unwrap_or_default()
        .starts_with(ADDRESS_REFUSED));

    // Any address again (null): from anywhere; and a malformed or too wide block is named.
    let path = format!("/api/tokens/{}", token.token.id);
    let any: Token = owner
        .patch(&path, &json!({"allowedAddresses": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(any.allowed_addresses, None);
    let anywhere = telegraf
        .request(Method::GET, &toml)
        .header("CF-Connecting-IP", "198.51.100.9");
    assert_eq!(server.send(anywhere).await.status(), StatusCode::OK);
    for (blocks, says) in [
        (
            json!(["10.0.0.0/33"]),
            "allowedAddresses: \"10.0.0.0/33\" is not an IPv4 or IPv6 address",
        ),
        (
            json!(["0.0.0.0/0"]),
            "allowedAddresses: \"0.0.0.0/0\" is wider than a /8",
        ),
        (json!([]), "allowedAddresses lists no address"),
    ] {
        let (status, text) = message(
            owner
                .patch(&path, &json!({"allowedAddresses": blocks}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(text.starts_with(says), "{text}");
    }
    let history = owner.history(token.token.id).await;
    assert!(
        history.iter().any(|e| e.kind == EventKind::ScopeChanged
            && e.detail.as_deref()
                == Some("addresses: 203.0.113.0/24, 2001:db8::/32 \u{2192} any address")),
        "{history:?}"
    );
}
