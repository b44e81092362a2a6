//! The fleet list (`GET /api/agents`) a page at a time, filtered in D1: the state and search
//! filters are written once in `shared::agent` and rendered to SQL, and D1 selects exactly the
//! agents the Rust forms (`AgentState::derive`, `AgentFilter::shows`) pick; pages follow one
//! another without a gap or a repeat, whatever ties in last-seen time; a person sees only
//! their tokens' agents.

use reqwest::StatusCode;
use shared::agent::{
    AgentFilter, AgentState, AGENT_PAGE, SILENT_INTERVALS, SILENT_MIN_MS, SILENT_UNKNOWN_MS,
};
use shared::api::AgentList;
use shared::token_state::Bound;
use std::collections::BTreeSet;
use tests::answers::error_message as message;
use tests::TestServer;

const NOW: i64 = 4_000_000_000_000;

fn literal(value: Bound<'_>) -> String {
    match value {
        Bound::Instant(ms) => ms.to_string(),
        Bound::Text(Some(text)) => format!("'{}'", text.replace('\'', "''")),
        Bound::Text(None) => "NULL".into(),
    }
}

fn sql_number(v: Option<i64>) -> String {
    v.map_or("NULL".into(), |v| v.to_string())
}

/// Every state and search condition, as D1 evaluates it, against the Rust forms: silences on
/// each side of every interval's limit, refusals before, at and after the last heartbeat, and
/// ids and host names in mixed case, with letters outside ASCII and without a host name.
#[tokio::test]
async fn d1_selects_exactly_the_agents_the_rust_forms_pick() {
    let server = TestServer::start().await;
    let mut agents: Vec<(
        String,
        i64,
        Option<i64>,
        Option<i64>,
        String,
        Option<String>,
    )> = Vec::new();
    let intervals = [
        None,
        Some(0),
        Some(50),
        Some(10_000),
        Some(60_000),
        Some(3_600_000),
    ];
    let names = [
        ("Edge-01", Some("EDGE-01.example")),
        ("core", None),
        ("Édge-ü", Some("ÉDGE.Ü.example")),
        ("x", Some("")),
    ];
    for (i, interval) in intervals.into_iter().enumerate() {
        let allowed = interval.filter(|i| *i > 0).map_or(SILENT_UNKNOWN_MS, |i| {
            (i * SILENT_INTERVALS).max(SILENT_MIN_MS)
        });
        for (j, silence) in [0, allowed - 1, allowed, allowed + 1, 10 * allowed]
            .into_iter()
            .enumerate()
        {
            let last_seen = NOW - silence;
            for (k, refused) in [
                None,
                Some(last_seen - 1),
                Some(last_seen),
                Some(last_seen + 1),
            ]
            .into_iter()
            .enumerate()
            {
                let (id, host) = names[(i + j + k) % names.len()];
                agents.push((
                    format!("{id} {i}.{j}.{k}"),
                    last_seen,
                    interval,
                    refused,
                    String::new(),
                    host.map(str::to_owned),
                ));
            }
        }
    }
    let values: Vec<String> = agents
        .iter()
        .map(|(id, seen, interval, refused, key, host)| {
            format!(
                "({}, {}, {}, 'Telegraf 1.39.0', {seen}, {}, {})",
                literal(Bound::Text(Some(key))),
                literal(Bound::Text(Some(id))),
                literal(Bound::Text(host.as_deref())),
                sql_number(*interval),
                sql_number(*refused)
            )
        })
        .collect();
    server.sql(&format!(
        "INSERT INTO agents (owner_key, id, hostname, version, last_seen, interval_ms, refused_at) VALUES {}",
        values.join(", ")
    ));

    let mut filters: Vec<AgentFilter> = AgentState::ALL
        .iter()
        .map(|&s| AgentFilter {
            state: Some(s),
            q: None,
        })
        .collect();
    for q in ["edge", "EDGE-01", "é", "É", "ü", "example", ".", "1.2"] {
        filters.push(AgentFilter {
            state: None,
            q: Some(q.into()),
        });
    }
    filters.push(AgentFilter {
        state: Some(AgentState::Refused),
        q: Some("edge".into()),
    });
    let mut picked_somewhere = 0;
    for filter in &filters {
        let conditions = filter.sql(NOW, &mut literal).join(" AND ");
        let rows = server.sql(&format!(
            "SELECT a.id AS id FROM agents a WHERE {conditions}"
        ));
        let in_d1: BTreeSet<String> = rows
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        let in_rust: BTreeSet<String> = agents
            .iter()
            .filter(|(id, seen, interval, refused, _, host)| {
                let state = AgentState::derive(*seen, *interval, *refused, NOW);
                filter.shows(id, host.as_deref(), state)
            })
            .map(|a| a.0.clone())
            .collect();
        assert_eq!(in_d1, in_rust, "{filter:?}: {conditions}");
        picked_somewhere += usize::from(!in_rust.is_empty() && in_rust.len() < agents.len());
    }
    // Each filter picks some agents and leaves others out, so agreement is not trivial.
    assert_eq!(
        picked_somewhere,
        filters.len() - 2,
        "all but \"é\" (no folding outside ASCII: it matches none) and \".\" (every id)"
    );
}

/// 250 agents of two owners, many seen at the same instant: the pages cover each of them once
/// in order; filters and a token's agents are answered by the server; a Manager sees only
/// the agents of their own tokens; bad parameters get a 400 that says what is right.
#[tokio::test]
async fn the_fleet_pages_without_gaps_or_repeats_and_filters_on_the_server() {
    let (server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("mira", "manager").await;
    let mine = owner.agent_token("fleet").await.token.id;
    let hers = manager.agent_token("hers").await.token.id;
    let (owner_id, manager_id) = (owner.user_id(), manager.user_id());
    // Agent i is seen (i / 7) x 5 minutes ago: runs of seven share an instant, and only the
    // first seven are within their two minutes of silence.
    server.sql(&format!(
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 249) \
         INSERT INTO agents (owner_key, id, hostname, version, last_seen, interval_ms, token_id) \
         SELECT CASE WHEN i % 5 = 0 THEN '{manager_id}' ELSE '{owner_id}' END, printf('agent-%03d', i), \
           printf('host-%03d.example', i), 'Telegraf 1.39.0', {now} - (i / 7) * 300000, 10000, \
           CASE WHEN i % 5 = 0 THEN '{hers}' ELSE '{mine}' END FROM k",
        now = tests::now_ms()
    ));
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/agents?limit=100&cursor={c}"),
            None => "/api/agents?limit=100".to_owned(),
        };
        let page: AgentList = owner.get_json(&path).await;
        pages += 1;
        seen.extend(
            page.items
                .iter()
                .map(|a| (a.last_seen.millis(), a.hostname.clone().unwrap())),
        );
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let hosts: BTreeSet<&String> = seen.iter().map(|(_, h)| h).collect();
    assert_eq!((seen.len(), hosts.len()), (250, 250), "each agent once");
    assert!(
        seen.windows(2).all(|w| w[0].0 >= w[1].0),
        "most recently seen first"
    );

    let first: AgentList = owner.get_json("/api/agents").await;
    assert_eq!(first.items.len(), AGENT_PAGE as usize);
    let found: AgentList = owner.get_json("/api/agents?q=HOST-24").await;
    let hosts: Vec<String> = found
        .items
        .iter()
        .filter_map(|a| a.hostname.clone())
        .collect();
    assert_eq!(hosts.len(), 10, "host-240 to host-249: {hosts:?}");
    let silent: AgentList = owner
        .get_json("/api/agents?state=not_reporting&limit=500")
        .await;
    assert!(silent
        .items
        .iter()
        .all(|a| a.state == AgentState::NotReporting));
    assert_eq!(
        silent.items.len(),
        250 - 7,
        "all but the seven seen just now"
    );
    let by_token: AgentList = owner
        .get_json(&format!("/api/agents?token={hers}&limit=500"))
        .await;
    assert_eq!(by_token.items.len(), 50);
    assert!(by_token.items.iter().all(|a| a.token_id == Some(hers)));

    let her_view: AgentList = manager.get_json("/api/agents?limit=500").await;
    assert_eq!(her_view.items.len(), 50, "only the agents of her tokens");
    let not_hers: AgentList = manager.get_json(&format!("/api/agents?token={mine}")).await;
    assert!(not_hers.items.is_empty());

    for (query, says) in [
        (
            "state=asleep",
            "state must be one of reporting, not_reporting, refused",
        ),
        ("limit=0", "limit must be a whole number from 1 to 500"),
        (
            "cursor=abc",
            "cursor must be the nextCursor of the previous page",
        ),
        ("token=42", "token must be a token's id (a UUID)"),
        ("order=asc", "unknown query parameter \"order\""),
    ] {
        let (status, text) = message(owner.get(&format!("/api/agents?{query}")).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(text.starts_with(says), "{query}: {text}");
    }
}
