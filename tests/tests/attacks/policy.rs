//! Issue 22: the organisation's token lifetime policy binds every way a secret is made. A
//! token made before the policy (it never expires) can neither be rotated into a fresh secret
//! with its old lifetime, nor mint a child that inherits it; only a token within the policy
//! is made, by anyone, and nothing already made is changed.

use super::{expect_error, now_ms};
use reqwest::StatusCode;
use serde_json::json;
use shared::api::{EventKind, Token};
use shared::token_policy::Standing;
use tests::{Telegraf, TestServer};

const DAY_MS: i64 = 86_400_000;

fn instant(ms: i64) -> String {
    shared::time::rfc3339_from_millis(ms).unwrap()
}

#[tokio::test]
async fn a_policy_is_not_bypassed_by_rotation_or_by_a_token_minting_a_child() {
    let (server, owner) = TestServer::with_owner().await;
    // Made before the policy: no expiry, and it may write tokens.
    let old = owner
        .create_token(json!({"name": "made before the policy", "permissions": "tokens:*,configs:read,heartbeat:write"}))
        .await;
    owner.set_token_policy(Some("P30D"), false).await;
    let path = format!("/api/tokens/{}", old.token.id);
    let token: Token = owner.get_json(&path).await;
    assert_eq!(token.lifetime_policy, Some(Standing::Beyond));

    // Rotation would hand out a fresh secret that never expires: refused, by the Owner too.
    let rotated = owner
        .post(&format!("{path}/rotate"), &json!({"overlap": "PT1H"}))
        .await;
    let message = expect_error(rotated, StatusCode::FORBIDDEN, "beyond_token_policy").await;
    assert!(
        message.contains("at most 30 days (P30D)") && message.contains("never expires"),
        "{message}"
    );
    // The old token mints a child: without an expiry it would inherit "never".
    let parent = owner.holding(&old.secret);
    let child = parent
        .post(
            "/api/tokens",
            &json!({"name": "child", "permissions": "configs:read"}),
        )
        .await;
    let message = expect_error(child, StatusCode::FORBIDDEN, "beyond_token_policy").await;
    assert!(message.contains("give the token an expiry"), "{message}");
    // Nor a day past the policy.
    let late = parent
        .post(
            "/api/tokens",
            &json!({"name": "child", "permissions": "configs:read", "expiresAt": instant(now_ms() + 31 * DAY_MS)}),
        )
        .await;
    expect_error(late, StatusCode::FORBIDDEN, "beyond_token_policy").await;
    assert!(
        owner.tokens("?q=child").await.items.is_empty(),
        "nothing was made"
    );
    // Within the policy, it works; the refusals changed nothing of the old token.
    let within = parent
        .create_token(json!({"name": "child", "permissions": "configs:read", "expiresAt": instant(now_ms() + 29 * DAY_MS)}))
        .await;
    assert_eq!(within.token.lifetime_policy, None);
    let agent = Telegraf::new(&server, &old.secret);
    let beat = json!({"id": "old-agent", "version": "Telegraf 1.39.0"});
    assert_eq!(
        agent.heartbeat(&beat).await.status(),
        StatusCode::NO_CONTENT,
        "a token beyond the policy keeps working"
    );
    assert!(owner
        .history(old.token.id)
        .await
        .iter()
        .all(|e| e.kind != EventKind::Rotated));
    // A token within the policy rotates.
    let fine = owner
        .create_token(json!({"name": "within", "expiresAt": instant(now_ms() + 10 * DAY_MS)}))
        .await;
    let rotated = owner
        .post(&format!("/api/tokens/{}/rotate", fine.token.id), &json!({}))
        .await;
    assert_eq!(rotated.status(), StatusCode::OK);
}
