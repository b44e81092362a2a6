//! The audit log as the tests prepare it: entries written straight into D1 (as the worker
//! leaves them before sealing), then sealed through the worker as a long log would be.

use crate::{Actor, TestServer};
use reqwest::StatusCode;

/// `n` entries written as the worker would leave them before sealing, by `seeder <i>`.
pub fn seed(server: &TestServer, n: u64) {
    server.sql(&format!(
        "INSERT INTO audit_log (at, actor, actor_kind, action, subject_type, subject_id, subject_name, count, detail) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
         SELECT 1767225600000 + i * 1000, 'seeder ' || i, 'user', 'config_updated', 'config', \
         'id-' || i, 'name ' || i, 1, 'line ' || i FROM n"
    ));
}

/// Reads the log a page at a time until every entry is sealed, each request sealing a part of
/// the backlog (400 at most) and the next going on: how many requests it took.
pub async fn seal_all(server: &TestServer, owner: &Actor) -> usize {
    let unsealed = || {
        server.sql("SELECT COUNT(*) AS n FROM audit_log WHERE hash IS NULL")[0]["n"]
            .as_i64()
            .unwrap()
    };
    let mut left = unsealed();
    let mut requests = 0;
    while left > 0 {
        assert_eq!(
            owner.get("/api/audit?limit=1").await.status(),
            StatusCode::OK
        );
        let now = unsealed();
        assert!(
            left - now > 0 && left - now <= 400,
            "sealed {} in one request",
            left - now
        );
        left = now;
        requests += 1;
    }
    requests
}
