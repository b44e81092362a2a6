//! Bulk actions on 1,000 tokens against one.

use super::*;

fn token_id(i: u64) -> String {
    format!("{i:08x}-0000-4000-8000-{i:012x}")
}

#[tokio::test]
async fn bulk_actions_on_1000_tokens_against_one() {
    // Each bulk action consumes what it acts on, so these are not wrk runs: every round seeds
    // fresh tokens with SQL, then times one request; a figure is the median of the rounds.
    const ROUNDS: usize = 5;
    let (server, owner) = TestServer::with_owner().await;
    let other = owner.create_user("bench-admin", "administrator").await;
    let mut next = 1u64;
    let mut out = json!({});
    println!("bulk actions, median of {ROUNDS} rounds, 1,000 tokens against 1:");
    for (action, path) in [
        ("delete", "/api/tokens/bulk-delete"),
        ("revoke", "/api/tokens/bulk-revoke"),
        ("reassign", "/api/tokens/bulk-reassign"),
    ] {
        let mut figures = Vec::new();
        for n in [1u64, 1000] {
            let mut times = Vec::with_capacity(ROUNDS);
            for _ in 0..ROUNDS {
                let from = next;
                next += n;
                server.seed_tokens(owner.user_id(), from, n, "bench");
                let ids: Vec<String> = (from..from + n).map(token_id).collect();
                let body = match action {
                    "reassign" => json!({"ids": ids, "userId": other.user_id()}),
                    _ => json!({"ids": ids}),
                };
                let started = Instant::now();
                let response = owner.post(path, &body).await;
                times.push(started.elapsed());
                assert_eq!(response.status(), 200, "{path}");
                if action == "delete" {
                    let deleted: BulkDeleted = response.json().await.unwrap();
                    assert_eq!(deleted.deleted, n);
                }
            }
            times.sort();
            figures.push(times[ROUNDS / 2]);
        }
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let ratio = figures[1].as_secs_f64() / figures[0].as_secs_f64();
        println!(
            "  bulk {action:<9} 1: {:>7.1} ms   1,000: {:>7.1} ms   x{ratio:.2} for 1,000 times the tokens",
            ms(figures[0]),
            ms(figures[1]),
        );
        out[action] =
            json!({"oneMs": ms(figures[0]), "thousandMs": ms(figures[1]), "ratio": ratio});
    }
    record("bulk", out);
}
