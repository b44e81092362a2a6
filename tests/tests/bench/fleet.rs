//! A simulated fleet of 2,000 agents and what it writes to D1.

use super::*;

#[tokio::test]
async fn a_simulated_fleet_of_2000_agents_and_its_d1_writes() {
    const AGENTS: usize = 2000;
    const TOKENS: usize = 20;
    let (server, owner) = TestServer::with_owner().await;
    let config = owner.create_config("fleet", CONFIG).await;
    let toml = format!("/api/configs/{}/toml", config.id);
    let mut secrets = Vec::new();
    let mut ids = Vec::new();
    for i in 0..TOKENS {
        let created = owner.agent_token(&format!("fleet {i:02}")).await;
        secrets.push(created.secret);
        ids.push(created.token.id.to_string());
    }
    // A fleet in its steady state: every agent and token was last written some time within the
    // last minute, spread evenly, with what the agents are about to send again.
    let now = now_ms();
    let tokens_values = ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("({i}, '{id}')"))
        .collect::<Vec<_>>()
        .join(", ");
    let configurations = serde_json::to_string(&[&toml]).unwrap();
    server.sql(&format!(
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {last}), \
         toks(i, id) AS (VALUES {tokens_values}) \
         INSERT INTO agents (owner_key, id, version, status, configurations, last_seen, interval_ms, token_id) \
         SELECT '{owner}', printf('agent-%05d', k.i), 'Telegraf 1.39.0', 'OK', '{configurations}', \
         {now} - abs(random()) % 60000, 30000, toks.id FROM k JOIN toks ON toks.i = k.i % {TOKENS}",
        last = AGENTS - 1,
        owner = owner.user_id(),
    ));
    server.sql(&format!(
        "UPDATE tokens SET last_used_at = {now} - (abs(random()) % 60000) WHERE created_by_kind IS NOT NULL"
    ));
    // What every agent and token was last written at, before the run: afterwards, those a
    // minute old by the end of the run are the only ones an unchanged request may write.
    let times = |sql: &str| -> Vec<i64> {
        server
            .sql(sql)
            .iter()
            .filter_map(|r| r["t"].as_i64())
            .collect()
    };
    let agents_before = times("SELECT last_seen AS t FROM agents");
    let tokens_before =
        times("SELECT last_used_at AS t FROM tokens WHERE last_used_at IS NOT NULL");
    let load = Load::default();
    let target = Target {
        fleet: Some((AGENTS, toml.clone(), secrets.clone())),
        ..Target::default()
    };
    let start = now_ms();
    let figures = load::run(server.base(), &target, load);
    let end = now_ms();
    let due_by_end = |before: &[i64]| before.iter().filter(|t| **t <= end - 60_000).count() as i64;
    let (due, tokens_due) = (due_by_end(&agents_before), due_by_end(&tokens_before));
    let count = |sql: &str| server.sql(sql)[0]["n"].as_i64().unwrap();
    // wait_until bookkeeping may still be running: let it land before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let agents = count(&format!(
        "SELECT COUNT(*) AS n FROM agents WHERE last_seen >= {start}"
    ));
    let tokens = count(&format!(
        "SELECT COUNT(*) AS n FROM tokens WHERE last_used_at >= {start}"
    ));
    let events = count(&format!(
        "SELECT COUNT(*) AS n FROM token_events WHERE at >= {start}"
    ));
    let writes = agents + tokens + events;
    let per_thousand = writes as f64 * 1000.0 / figures.requests as f64;
    let elapsed_s = figures.duration_us as f64 / 1e6;
    println!(
        "simulated fleet: {AGENTS} agents on {TOKENS} tokens, polls (304) and unchanged heartbeats, {:.0} s:",
        elapsed_s
    );
    println!(
        "  {} requests ({:.1}/s); D1 rows written, read back from D1: {agents} agents, {tokens} tokens, {events} history events",
        figures.requests,
        figures.per_second()
    );
    println!(
        "  {per_thousand:.1} D1 writes per 1,000 agent requests (one per heartbeat would be 500; \
         {due} of the {AGENTS} agents and {tokens_due} of the {TOKENS} tokens were due in this window)"
    );
    assert!(
        agents <= due,
        "{agents} agents written, but only {due} were due: an unchanged beat was written within the minute"
    );
    assert!(
        tokens <= tokens_due,
        "a token's last use was written within the minute"
    );
    record(
        "fleet",
        json!({"agents": AGENTS, "tokens": TOKENS, "figures": figures, "rowsWritten": {"agents": agents, "tokens": tokens, "events": events},
               "writesPer1000Requests": per_thousand}),
    );
}
