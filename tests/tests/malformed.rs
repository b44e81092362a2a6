//! Hundreds of malformed requests across every endpoint: each gets a 4xx with a JSON error a
//! person can read, never a 5xx, and nothing changes.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::routes::{Access, Endpoint, ROUTES};
use tests::TestServer;

/// Bodies that are not what any endpoint takes.
fn bad_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(70 * 1024));
    vec![
        ("empty", b"".to_vec()),
        ("whitespace", b"   \n ".to_vec()),
        ("truncated", br#"{"name":"#.to_vec()),
        ("not json", b"name=hello".to_vec()),
        ("array", b"[1,2,3]".to_vec()),
        ("string", br#""just a string""#.to_vec()),
        ("null", b"null".to_vec()),
        ("number", b"12345678901234567890".to_vec()),
        ("wrong types", br#"{"name":42,"ids":"x","userId":[],"role":7,"disabled":"yes","password":{}}"#.to_vec()),
        ("unknown field", br#"{"name":"a","surprise":true}"#.to_vec()),
        ("sql", br#"{"name":"x'); DROP TABLE tokens;--","ids":["' OR 1=1 --"],"userId":"1; DELETE FROM users","username":"admin'--","password":"' OR ''='"}"#.to_vec()),
        ("odd unicode", "{\"name\":\"\u{202e}\u{0000}\u{fffe}\u{1f4a3}\",\"username\":\"\u{0130}\u{212a}\"}".as_bytes().to_vec()),
        ("invalid utf8", vec![b'{', b'"', b'n', b'"', b':', b'"', 0xff, 0xfe, b'"', b'}']),
        ("deep nesting", format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes()),
        ("huge", huge.into_bytes()),
        ("nul bytes", b"{\"name\":\"a\0b\"}".to_vec()),
        ("duplicate keys", br#"{"name":"a","name":"b"}"#.to_vec()),
        ("bad ids", br#"{"ids":["not-a-uuid","00000000-0000-0000-0000-00000000000g"],"userId":"x"}"#.to_vec()),
    ]
}

const BAD_IDS: [&str; 6] = [
    "not-a-uuid",
    "%27%20OR%201%3D1--",
    "00000000-0000-0000-0000-00000000000g",
    "%E2%80%AE",
    "..",
    "6f1e2d3c4b5a4d3b9a5c1b4e28ba2fa1",
];

const BAD_QUERIES: [&str; 12] = [
    "?limit=0",
    "?limit=-5",
    "?limit=99999999999999999999",
    "?sort=password",
    "?order=sideways",
    "?status=deleted",
    "?owner=me",
    "?cursor=v1.name.asc.tzz.x",
    "?status=",
    "?cursor=%FF%FE",
    "?limit=5&limit=6",
    "?colour=blue",
];

async fn expect_client_error(response: reqwest::Response, what: &str) -> StatusCode {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(status.is_client_error(), "{what}: {status} {text}");
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: not JSON: {text}"));
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{what}: {text}"
    );
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {text}"
    );
    status
}

#[tokio::test]
async fn malformed_requests_never_get_a_5xx() {
    let (server, owner) = TestServer::with_owner().await;
    let token = owner.create_token(json!({"name": "victim"})).await;
    // Agent endpoints take only a token: they are called as an agent would call them.
    let agent = owner
        .token_actor("agent", "configs:read,heartbeat:write")
        .await;
    let mut sent = 0;

    // Every route that takes a body, with every bad body, authenticated as the Owner. (Logout,
    // revoke and transfer read no body: they are covered by the id and credential rounds below.)
    let takes_body = |e: Endpoint| {
        !matches!(
            e,
            Endpoint::Logout | Endpoint::RevokeToken | Endpoint::TransferOwnership
        )
    };
    for route in ROUTES
        .iter()
        .filter(|r| r.method != "GET" && r.method != "DELETE" && takes_body(r.endpoint))
    {
        let path = route.path.replace("{id}", &token.token.id.to_string());
        let caller = if route.endpoint.is_agent() {
            &agent
        } else {
            &owner
        };
        let method = Method::from_bytes(route.method.as_bytes()).unwrap();
        let send = |content_type: &'static str, body: Vec<u8>| {
            let request = caller.request(method.clone(), &path);
            caller.send(request.header("content-type", content_type).body(body))
        };
        for (what, body) in bad_bodies() {
            let response = send("application/json", body).await;
            expect_client_error(response, &format!("{} {path} {what}", route.method)).await;
            sent += 1;
        }
        // The same route with a wrong content type. A signed report is refused for its
        // missing signature first: nothing of an unsigned body is read.
        let response = send("text/xml", b"<name>x</name>".to_vec()).await;
        let expected = if route.access == Access::Signed {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        };
        assert_eq!(
            expect_client_error(response, &format!("{} {path} xml", route.method)).await,
            expected
        );
        sent += 1;
    }

    // Every route with an id, with ids that are not ids.
    for route in ROUTES.iter().filter(|r| r.path.contains("{id}")) {
        for bad in BAD_IDS {
            let path = route.path.replace("{id}", bad);
            let method = Method::from_bytes(route.method.as_bytes()).unwrap();
            let caller = if route.endpoint.is_agent() {
                &agent
            } else {
                &owner
            };
            let response = caller
                .send(
                    caller
                        .request(method, &path)
                        .json(&json!({"userId": owner.user_id(), "role": "viewer"})),
                )
                .await;
            expect_client_error(response, &format!("{} {path}", route.method)).await;
            sent += 1;
        }
    }

    // The list with query strings it must refuse.
    for query in BAD_QUERIES {
        let response = owner.get(&format!("/api/tokens{query}")).await;
        expect_client_error(response, query).await;
        sent += 1;
    }

    // SQL metacharacters in a search are just text: a normal answer that matches nothing.
    let search = owner
        .get("/api/tokens?q=%00%27%22%3B%20DROP%20TABLE%20tokens%3B--")
        .await;
    assert_eq!(search.status(), StatusCode::OK);
    assert_eq!(search.json::<Value>().await.unwrap()["total"], 0);
    let long = owner
        .get(&format!("/api/tokens?q={}", "x".repeat(256)))
        .await;
    expect_client_error(long, "256-character search").await;
    sent += 2;

    // Broken credentials on every authenticated route.
    for header in [
        "Bearer",
        "Bearer tc-apiv1_",
        "Basic dXNlcjpwYXNz",
        "Token tc-apiv1_zz",
        "Bearer  \u{0}",
        "tc-apiv1_0000",
    ] {
        for route in ROUTES.iter().filter(|r| !r.endpoint.is_public()) {
            let path = route.path.replace("{id}", &token.token.id.to_string());
            let method = Method::from_bytes(route.method.as_bytes()).unwrap();
            let request = server.http().request(method, server.url(&path));
            let Ok(request) = request.header("Authorization", header).build() else {
                continue;
            };
            let response = tests::contract::execute(server.http(), request).await;
            assert_eq!(
                expect_client_error(response, &format!("{header:?} {path}")).await,
                StatusCode::UNAUTHORIZED
            );
            sent += 1;
        }
    }

    assert!(sent >= 200, "only {sent} malformed requests were sent");
    // Nothing changed: the one token is intact and active, the Owner still signs in.
    let detail = owner.token(token.token.id).await;
    assert_eq!(detail.name, "victim");
    let users: Value = owner.get_json("/api/users").await;
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
    let agents: Value = owner.get_json("/api/agents").await;
    assert_eq!(
        agents["items"].as_array().unwrap().len(),
        0,
        "no malformed heartbeat recorded an agent"
    );
    println!("{sent} malformed requests, no 5xx");
}
