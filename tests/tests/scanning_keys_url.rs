//! Leaked-token reports verified with the keys a URL publishes (`SECRET_SCANNING_KEYS_URL`,
//! e.g. GitHub's `meta/public_keys/secret_scanning`): fetched on the first report, kept, not
//! fetched again within a minute whatever key a report names, and a list that cannot be had is
//! a 503 naming the setting; against the real worker and its local D1. When a minute has
//! passed an unknown key fetches again: `shared::scanning::KeyCache`'s unit tests.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tests::answers::{expect_error, expect_json};
use tests::receiver::Served;
use tests::scanning::{scanning_key, sign};
use tests::TestServer;

const PATH: &str = "/meta/public_keys/secret_scanning";

/// The list as GitHub publishes it.
fn published(keys: &[(&str, &str)]) -> String {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(id, pem)| json!({ "key_identifier": id, "key": pem, "is_current": true }))
        .collect();
    json!({ "public_keys": keys }).to_string()
}

/// A key pair in its own directory under `dir`.
fn key_in(dir: &Path, name: &str) -> (PathBuf, String) {
    let own = dir.join(name);
    std::fs::create_dir_all(&own).unwrap();
    scanning_key(&own)
}

/// A report of `secret`, signed with `private` and named `key_id`.
fn report(
    server: &TestServer,
    secret: &str,
    key_id: &str,
    private: &Path,
) -> reqwest::RequestBuilder {
    let body = serde_json::to_vec(&json!([{ "token": secret, "type": "telegraf_api_token",
        "url": "https://github.com/acme/infra/blob/main/telegraf.conf", "source": "content" }]))
    .unwrap();
    server
        .http()
        .post(server.url("/api/secret-scanning"))
        .header("Content-Type", "application/json")
        .header("Github-Public-Key-Identifier", key_id)
        .header("Github-Public-Key-Signature", sign(private, &body))
        .body(body)
}

#[tokio::test]
async fn published_keys_are_fetched_on_the_first_report_kept_and_not_fetched_again_within_a_minute()
{
    let dir = tempfile::tempdir().unwrap();
    let (private1, public1) = key_in(dir.path(), "one");
    let (private2, public2) = key_in(dir.path(), "two");
    let list = Served::start(PATH, 200, &published(&[("key-1", &public1)])).await;
    let server = TestServer::builder()
        .var("SECRET_SCANNING_KEYS_URL", &list.url)
        .start()
        .await;
    assert!(
        list.heads().is_empty(),
        "nothing is fetched before a report"
    );
    let owner = server.owner().await;
    let [first, second, third] = [
        owner.agent_token("first").await,
        owner.agent_token("second").await,
        owner.agent_token("third").await,
    ];

    let verdicts: Value = expect_json(
        server
            .send(report(&server, &first.secret, "key-1", &private1))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(verdicts[0]["label"], "true_positive", "{verdicts}");
    let heads = list.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with(&format!("get {PATH} ")),
        "{}",
        heads[0]
    );
    // GitHub's API refuses a request without a User-Agent.
    assert!(
        heads[0].contains("\nuser-agent: telegraf-token-manager"),
        "{}",
        heads[0]
    );
    assert!(
        heads[0].contains("\naccept: application/json"),
        "{}",
        heads[0]
    );

    // Kept: the next report fetches nothing.
    let verdicts: Value = expect_json(
        server
            .send(report(&server, &second.secret, "key-1", &private1))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(verdicts[0]["label"], "true_positive", "{verdicts}");
    assert_eq!(list.heads().len(), 1);

    // A key published since is not fetched for within the minute: the report is refused and
    // the token keeps working.
    list.answer(200, &published(&[("key-1", &public1), ("key-2", &public2)]));
    let message = expect_error(
        server
            .send(report(&server, &third.secret, "key-2", &private2))
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    assert!(message.contains("in the last minute"), "{message}");
    assert_eq!(list.heads().len(), 1, "no fetch within the minute");
    assert_eq!(
        owner.token(third.token.id).await.status,
        shared::TokenStatus::Active
    );
    // A report naming a key the list holds still works meanwhile.
    let verdicts: Value = expect_json(
        server
            .send(report(&server, &third.secret, "key-1", &private1))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(verdicts[0]["label"], "true_positive", "{verdicts}");
}

#[tokio::test]
async fn a_key_list_that_cannot_be_had_is_a_503_naming_the_setting_and_is_not_asked_again_at_once()
{
    let dir = tempfile::tempdir().unwrap();
    let (private, _) = key_in(dir.path(), "one");
    let list = Served::start(PATH, 500, r#"{"message":"try later"}"#).await;
    let server = TestServer::builder()
        .var("SECRET_SCANNING_KEYS_URL", &list.url)
        .start()
        .await;
    let owner = server.owner().await;
    let leaked = owner.agent_token("leaked").await;
    for _ in 0..2 {
        let message = expect_error(
            server
                .send(report(&server, &leaked.secret, "key-1", &private))
                .await,
            StatusCode::SERVICE_UNAVAILABLE,
            "misconfigured",
        )
        .await;
        assert!(
            message.contains("SECRET_SCANNING_KEYS_URL") && message.contains("500"),
            "{message}"
        );
    }
    assert_eq!(list.heads().len(), 1, "one fetch a minute at most");
    assert_eq!(
        owner.token(leaked.token.id).await.status,
        shared::TokenStatus::Active
    );
}
