//! The daily run's housekeeping: it purges what has outlived its use.

use reqwest::StatusCode;
use std::time::Duration;
use tests::{now_ms, wait, TestServer};

#[tokio::test]
async fn the_daily_run_purges_what_has_outlived_its_use() {
    let (server, owner) = TestServer::with_owner().await;
    let day = 86_400_000i64;
    let old = now_ms() - 31 * day;
    server.sql(&format!(
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ('expired', '{uid}', {old}, {old}); \
         INSERT INTO signin_failures (username, address, at) VALUES ('someone', '192.0.2.1', {old}); \
         INSERT INTO agents (owner_key, id, version, last_seen) VALUES ('', 'gone', 'Telegraf 1.30', {old}); \
         INSERT INTO agents (owner_key, id, version, last_seen) VALUES ('', 'recent', 'Telegraf 1.30', {recent});",
        uid = owner.user_id(),
        recent = now_ms() - day,
    ));
    let run = server.get("/__scheduled?cron=0+6+*+*+*").await;
    assert!(run.status().is_success());
    wait::until("the purge", Duration::from_secs(20), || async {
        let n = server.sql("SELECT (SELECT COUNT(*) FROM sessions WHERE id_hash = 'expired') + (SELECT COUNT(*) FROM signin_failures) + (SELECT COUNT(*) FROM agents WHERE id = 'gone') AS n");
        (n[0]["n"] == 0).then_some(())
    })
    .await;
    assert_eq!(
        server.sql("SELECT COUNT(*) AS n FROM agents WHERE id = 'recent'")[0]["n"],
        1
    );
    assert_eq!(
        owner.get("/api/auth/me").await.status(),
        StatusCode::OK,
        "live sessions stay"
    );
    wait::until("the run's counts in the log", Duration::from_secs(10), || async {
        server.log().contains("purged 1 expired sessions, 1 old failed sign-ins and password checks, 1 agents not seen for 30 days").then_some(())
    })
    .await;
}
