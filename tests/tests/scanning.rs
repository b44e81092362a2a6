//! Leaked-token reports from a secret scanner: signed reports revoke the leaked tokens and
//! nothing else gets in; against the real worker and its local D1.

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::api::EventKind;
use tests::answers::{expect_json, token_refusal};
use tests::scanning::{new_key, scanning_key, sign, unverifiable_report};
use tests::telegraf::{beat, Telegraf};
use tests::TestServer;

/// A server that trusts one scanning key, `key-1`, and that key's directory (kept as long as
/// the server is).
struct Scanner {
    keys: tempfile::TempDir,
    private: std::path::PathBuf,
    server: TestServer,
}

/// What a heartbeat with `secret` is told.
async fn beat_refusal(server: &TestServer, secret: &str) -> String {
    token_refusal(Telegraf::new(server, secret).heartbeat(&beat("x")).await).await
}

/// A server trusting a new key: as a plain list, or (`published`) in the exact form GitHub's
/// `meta/public_keys/secret_scanning` returns, beside a key of GitHub's own.
async fn scanner(published: bool) -> Scanner {
    let keys = tempfile::tempdir().unwrap();
    let (private, public) = scanning_key(keys.path());
    let trusted = if published {
        let other_dir = keys.path().join("other");
        std::fs::create_dir_all(&other_dir).unwrap();
        let (_, other) = scanning_key(&other_dir);
        json!({"public_keys": [
            { "key_identifier": "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a", "key": other, "is_current": false },
            { "key_identifier": "key-1", "key": public, "is_current": true }
        ]})
        .to_string()
    } else {
        json!([{ "key_identifier": "key-1", "key": public }]).to_string()
    };
    let server = TestServer::builder()
        .var("SECRET_SCANNING_KEYS", &trusted)
        .start()
        .await;
    Scanner {
        keys,
        private,
        server,
    }
}

impl Scanner {
    /// A report `body` under `key_id` and `signature`, as GitHub sends it.
    fn post(&self, body: Vec<u8>, key_id: &str, signature: String) -> reqwest::RequestBuilder {
        self.server
            .http()
            .post(self.server.url("/api/secret-scanning"))
            .header("Content-Type", "application/json")
            .header("Github-Public-Key-Identifier", key_id)
            .header("Github-Public-Key-Signature", signature)
            .body(body)
    }

    /// `body` signed with the trusted key.
    fn signed(&self, body: Vec<u8>) -> reqwest::RequestBuilder {
        let signature = sign(&self.private, &body);
        self.post(body, "key-1", signature)
    }
}

#[tokio::test]
async fn a_signed_leak_report_revokes_the_leaked_tokens_and_nothing_else_gets_in() {
    let scanning = scanner(false).await;
    let (server, private, keys_dir) = (&scanning.server, &scanning.private, &scanning.keys);
    let owner = server.owner().await;
    let leaked = owner.agent_token("leaked").await;
    let safe = owner.agent_token("safe").await;
    let report = json!([
        { "token": leaked.secret, "type": "telegraf_api_token", "url": "https://github.com/acme/infra/blob/main/telegraf.conf", "source": "content" },
        { "token": "tc-apiv1_".to_owned() + &"0".repeat(64), "type": "telegraf_api_token", "url": "https://example.com/x", "source": "content" }
    ]);
    let body = serde_json::to_vec(&report).unwrap();
    let post =
        |body: Vec<u8>, key_id: &str, signature: String| scanning.post(body, key_id, signature);
    // Forged: signed by another key; tampered: a valid signature over a different body;
    // unknown key id; no signature; a signature that is not DER.
    let forged_key = keys_dir.path().join("forger.pem");
    new_key(&forged_key);
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    for (what, request) in [
        (
            "forged",
            post(body.clone(), "key-1", sign(&forged_key, &body)),
        ),
        (
            "tampered",
            post(tampered.clone(), "key-1", sign(private, &body)),
        ),
        (
            "unknown key",
            post(body.clone(), "key-2", sign(private, &body)),
        ),
        ("not der", post(body.clone(), "key-1", "AAAA".into())),
    ] {
        let r = server.send(request).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
    }
    let r = server
        .send(
            server
                .http()
                .post(server.url("/api/secret-scanning"))
                .header("Content-Type", "application/json")
                .body(body.clone()),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        owner.token(leaked.token.id).await.status,
        shared::TokenStatus::Active,
        "nothing revoked by a bad report"
    );

    // A malformed body, correctly signed: 400, nothing changes.
    let malformed = br#"{"token": "x"}"#.to_vec();
    let r = server
        .send(post(malformed.clone(), "key-1", sign(private, &malformed)))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // The genuine report.
    let r = server
        .send(post(body.clone(), "key-1", sign(private, &body)))
        .await;
    let verdicts: Value = expect_json(r, StatusCode::OK).await;
    let labels: Vec<&str> = verdicts
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["true_positive", "false_positive"]);
    assert_eq!(
        verdicts[0]["token_hash"],
        shared::token::sha256_hex(leaked.secret.as_bytes())
    );
    assert_eq!(verdicts[0]["token_type"], "telegraf_api_token");
    let now = owner.token(leaked.token.id).await;
    assert_eq!(now.status, shared::TokenStatus::Revoked);
    assert_eq!(now.revoked_by.as_deref(), Some("secret scanning"));
    let history = owner.history(leaked.token.id).await;
    assert_eq!(history[0].kind, EventKind::Revoked);
    assert_eq!(
        history[0].detail.as_deref(),
        Some("found in public at https://github.com/acme/infra/blob/main/telegraf.conf")
    );
    assert_eq!(beat_refusal(server, &leaked.secret).await, "Token revoked");
    assert_eq!(
        owner.token(safe.token.id).await.status,
        shared::TokenStatus::Active
    );
    // A replay changes nothing more: the token is no longer a working secret.
    let r = server
        .send(post(body.clone(), "key-1", sign(private, &body)))
        .await;
    let again: Value = expect_json(r, StatusCode::OK).await;
    assert_eq!(again[0]["label"], "false_positive");
}

/// A token held back only because its owner is disabled would work again once they are
/// enabled: a leak report revokes it too (`TokenStatus::may_revoke`), and it stays revoked.
#[tokio::test]
async fn a_leaked_token_of_a_disabled_owner_is_revoked_for_when_they_return() {
    let scanning = scanner(true).await;
    let server = &scanning.server;
    let owner = server.owner().await;
    let away = owner.create_user("away", "manager").await;
    let leaked = away.agent_token("away's agents").await;
    let user = format!("/api/users/{}", away.user_id());
    let answer = owner.patch(&user, &json!({ "disabled": true })).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        owner.token(leaked.token.id).await.status,
        shared::TokenStatus::OwnerDisabled
    );

    let body = serde_json::to_vec(
        &json!([{ "token": leaked.secret, "type": "telegraf_api_token",
        "url": "https://example.com/paste", "source": "content" }]),
    )
    .unwrap();
    let request = scanning.signed(body);
    let verdicts: Value = expect_json(server.send(request).await, StatusCode::OK).await;
    assert_eq!(verdicts[0]["label"], "true_positive");

    let answer = owner.patch(&user, &json!({ "disabled": false })).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        owner.token(leaked.token.id).await.status,
        shared::TokenStatus::Revoked,
        "still revoked once its owner is back"
    );
    assert_eq!(beat_refusal(server, &leaked.secret).await, "Token revoked");
}

/// A malformed key setting is the operator's to fix: a 503 naming it, never a 500.
#[tokio::test]
async fn a_malformed_key_setting_is_a_503_naming_it() {
    for (setting, names) in [
        ("not json", "SECRET_SCANNING_KEYS is neither"),
        (
            r#"[{"key_identifier":"key-1","key":"AAEC"}]"#,
            "key key-1 is not a PEM public key",
        ),
        ("[]", "lists no key"),
    ] {
        let server = TestServer::builder()
            .var("SECRET_SCANNING_KEYS", setting)
            .start()
            .await;
        let answer = server.send(unverifiable_report(&server)).await;
        let message = tests::answers::expect_error(
            answer,
            reqwest::StatusCode::SERVICE_UNAVAILABLE,
            "misconfigured",
        )
        .await;
        assert!(message.contains(names), "{setting}: {message}");
    }
}
