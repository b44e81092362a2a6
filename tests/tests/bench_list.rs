//! Benchmark, not a timed test: the cost of one list page with 100 tokens and with 100,000,
//! for every sort order, printed as ratios against the 100-token baseline of the same run.
//! It asserts only that the pages are right; `make bench` shows the figures.

use shared::api::TokenList;
use shared::UserId;
use std::time::{Duration, Instant};
use tests::{Actor, TestServer};

const SORTS: [&str; 4] = ["createdAt", "name", "lastUsedAt", "expiresAt"];
const ROUNDS: usize = 15;

async fn median_page_time(actor: &Actor, query: &str) -> (Duration, TokenList) {
    let mut times = Vec::with_capacity(ROUNDS);
    let mut last = None;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let response = actor.get(&format!("/api/tokens{query}")).await;
        let page: TokenList = response.json().await.unwrap();
        times.push(started.elapsed());
        last = Some(page);
    }
    times.sort();
    (times[ROUNDS / 2], last.unwrap())
}

/// Inserts `n` tokens owned by `owner` straight into D1, in one statement.
fn seed(server: &TestServer, owner: UserId, from: u64, n: u64) {
    server.sql(&format!(
        "WITH RECURSIVE k(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM k WHERE i < {last}) \
         INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, owner_id, created_by, last_used_at, expires_at) \
         SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'seed ' || i, printf('%064x', i), '0000', 'configs:read', 'user', \
         1700000000000 + i, '{owner}', 'seed', CASE WHEN i % 3 = 0 THEN NULL ELSE 1700000000000 + i * 7 END, \
         CASE WHEN i % 2 = 0 THEN NULL ELSE 4000000000000 + i END FROM k",
        last = from + n - 1
    ));
}

#[tokio::test]
async fn list_page_cost_at_100_and_100k_tokens() {
    let (server, owner) = TestServer::with_owner().await;
    seed(&server, owner.user_id(), 1, 100);
    let mut baseline = Vec::new();
    for sort in SORTS {
        let (time, page) = median_page_time(&owner, &format!("?limit=50&sort={sort}")).await;
        assert_eq!((page.items.len(), page.total), (50, 100));
        baseline.push(time);
    }
    let started = Instant::now();
    for _ in 0..ROUNDS {
        server.get("/api/health").await;
    }
    let health = started.elapsed() / ROUNDS as u32;

    seed(&server, owner.user_id(), 101, 99_900);
    println!("list page (limit 50) median of {ROUNDS}, 100,000 tokens vs 100 tokens, same server:");
    for (sort, base) in SORTS.iter().zip(&baseline) {
        let (first, page) = median_page_time(&owner, &format!("?limit=50&sort={sort}")).await;
        assert_eq!((page.items.len(), page.total), (50, 100_000));
        let cursor = page.next_cursor.expect("more pages");
        let (next, second) =
            median_page_time(&owner, &format!("?limit=50&sort={sort}&cursor={cursor}")).await;
        assert_eq!(second.items.len(), 50);
        assert!(
            second
                .items
                .iter()
                .all(|t| !page.items.iter().any(|p| p.id == t.id)),
            "pages do not overlap"
        );
        println!(
            "  sort={sort:<10} first page x{:.2}, second page x{:.2} (baseline {:.1} health requests)",
            first.as_secs_f64() / base.as_secs_f64(),
            next.as_secs_f64() / base.as_secs_f64(),
            base.as_secs_f64() / health.as_secs_f64(),
        );
    }
    let (filtered, page) = median_page_time(&owner, "?limit=50&q=seed%2099999").await;
    assert_eq!(page.total, 1);
    println!(
        "  q=<substring> (scans every name) x{:.2}",
        filtered.as_secs_f64() / baseline[0].as_secs_f64()
    );
}
