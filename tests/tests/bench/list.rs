//! The token list at 100,000 tokens against 100, rows read per request, and the fleet beside the admin side.

use super::*;

const SORTS: [&str; 4] = ["createdAt", "name", "lastUsedAt", "expiresAt"];

#[tokio::test]
async fn list_page_at_100_000_tokens_against_100_for_each_sort() {
    let (server, owner) = TestServer::with_owner().await;
    server.seed_tokens(owner.user_id(), 1, 100, "seed");
    let cookie = session(&owner);
    let load = Load::default();
    let page = |sort: &str| {
        Target::get(format!("/api/tokens?limit=50&sort={sort}"), 200)
            .header("Cookie", cookie.clone())
    };
    let baseline: Vec<Figures> = SORTS
        .iter()
        .map(|s| load::run(server.base(), &page(s), load))
        .collect();
    for sort in SORTS {
        let list: TokenList = owner
            .get_json(&format!("/api/tokens?limit=50&sort={sort}"))
            .await;
        assert_eq!((list.items.len(), list.total), (50, 100));
    }

    server.seed_tokens(owner.user_id(), 101, 99_900, "seed");
    println!("token list page (limit 50), 100,000 tokens against 100, same server:");
    let mut out = json!({});
    for (sort, base) in SORTS.iter().zip(&baseline) {
        let list: TokenList = owner
            .get_json(&format!("/api/tokens?limit=50&sort={sort}"))
            .await;
        assert_eq!((list.items.len(), list.total), (50, 100_000));
        let cursor = list.next_cursor.expect("more pages");
        let second: TokenList = owner
            .get_json(&format!("/api/tokens?limit=50&sort={sort}&cursor={cursor}"))
            .await;
        assert!(
            second
                .items
                .iter()
                .all(|t| !list.items.iter().any(|p| p.id == t.id)),
            "pages do not overlap"
        );
        let big = load::run(server.base(), &page(sort), load);
        let next = load::run(
            server.base(),
            &Target::get(
                format!("/api/tokens?limit=50&sort={sort}&cursor={cursor}"),
                200,
            )
            .header("Cookie", cookie.clone()),
            load,
        );
        out[*sort] = json!({
            "baseline100": base,
            "firstPage": line(&format!("sort={sort}, first page"), &big, base, "100 tokens"),
            "secondPage": line(&format!("sort={sort}, second page"), &next, base, "100 tokens"),
        });
    }
    let search = load::run(
        server.base(),
        &Target::get("/api/tokens?limit=50&q=seed%2099999", 200).header("Cookie", cookie.clone()),
        load,
    );
    out["search"] = line(
        "q=<substring> (through the piece index)",
        &search,
        &baseline[0],
        "100 tokens",
    );
    let first_page = out["createdAt"]["firstPage"]["requestsPerSecond"]
        .as_f64()
        .expect("the first page's figure");
    let against_page = search.per_second() / first_page;
    println!("  search against the first page, both at 100,000 tokens: x{against_page:.2}");
    out["searchAgainstFirstPage"] = json!(against_page);
    out["rowsRead"] = rows_read_per_request(&server, &owner, &cookie).await;
    out["fleetBesideAdmin"] = fleet_beside_the_admin_side(&server, &owner, &cookie, load).await;
    record("listPage", out);
}

/// What each kind of token-list request reads from D1 at 100,000 tokens, from D1's own
/// `meta.rows_read` (the worker reports it in `Server-Timing`): the README's Admin reads table.
async fn rows_read_per_request(server: &TestServer, owner: &Actor, cookie: &str) -> Value {
    let owner_id = owner.user_id();
    let requests = [
        (
            "the list, newest first".to_owned(),
            "sort=createdAt".to_owned(),
        ),
        ("the list by name".to_owned(), "sort=name".to_owned()),
        (
            "the list by last use".to_owned(),
            "sort=lastUsedAt".to_owned(),
        ),
        ("the list by expiry".to_owned(), "sort=expiresAt".to_owned()),
        ("one owner's tokens".to_owned(), format!("owner={owner_id}")),
        (
            "search, rare text (\"seed 99999\")".to_owned(),
            "q=seed%2099999".to_owned(),
        ),
        (
            "search, common text (\"seed\")".to_owned(),
            "q=seed".to_owned(),
        ),
        (
            "search, common pieces, rarer whole (\"ed 1234\")".to_owned(),
            "q=ed%201234".to_owned(),
        ),
        (
            "search, two characters (\"99\")".to_owned(),
            "q=99".to_owned(),
        ),
        ("search, no match (\"zqx\")".to_owned(), "q=zqx".to_owned()),
        ("status Active".to_owned(), "status=active".to_owned()),
        (
            "status Expiring soon".to_owned(),
            "status=expiring".to_owned(),
        ),
        ("status Expired".to_owned(), "status=expired".to_owned()),
        ("status Revoked".to_owned(), "status=revoked".to_owned()),
        (
            "status Owner disabled".to_owned(),
            "status=owner_disabled".to_owned(),
        ),
        (
            "beyond the lifetime policy (none beyond: a whole window)".to_owned(),
            "policy=beyond".to_owned(),
        ),
    ];
    println!("D1 rows read per token-list request (page of 50 and its total), 100,000 tokens:");
    let mut out = json!({});
    for (label, query) in requests {
        let response = server
            .http()
            .get(format!("{}/api/tokens?limit=50&{query}", server.base()))
            .header("Cookie", cookie)
            .send()
            .await
            .expect("a token-list request");
        assert_eq!(response.status(), 200, "{query}");
        let rows = tests::answers::rows_read(&response);
        let list: TokenList = response.json().await.expect("a token list");
        println!(
            "  {label:<52} {rows:>7} rows read  ({} shown of {}{})",
            list.items.len(),
            if list.total_capped { "more than " } else { "" },
            list.total
        );
        out[query] = json!({ "label": label, "rowsRead": rows, "shown": list.items.len() });
    }
    out
}

/// Agents downloading their configuration alone, then while one administrator goes through
/// searches (selective and broad, one and two characters), list pages in every order and
/// filter, an owner's tokens, the agents and the audit log, flat out on one connection: D1
/// answers one query at a time, so whatever the admin side reads, agents wait for.
async fn fleet_beside_the_admin_side(
    server: &TestServer,
    owner: &Actor,
    cookie: &str,
    load: Load,
) -> Value {
    let secret = owner.agent_token("fleet beside admin").await.secret;
    let config = owner.create_config("fleet beside admin", CONFIG).await;
    let download = Target::get(format!("/api/configs/{}/toml", config.id), 200).bearer(&secret);
    let owner_id = owner.user_id();
    let admin_paths: Vec<String> = [
        "/api/tokens?limit=50&q=seed%2099999".to_owned(),
        "/api/tokens?limit=50&q=seed%2012345".to_owned(),
        "/api/tokens?limit=50&q=seed".to_owned(),
        "/api/tokens?limit=50&q=9".to_owned(),
        "/api/tokens?limit=50&q=zz".to_owned(),
        "/api/tokens?limit=50".to_owned(),
        "/api/tokens?limit=50&sort=name&order=asc".to_owned(),
        "/api/tokens?limit=50&sort=lastUsedAt".to_owned(),
        "/api/tokens?limit=50&status=active".to_owned(),
        "/api/tokens?limit=50&status=expiring".to_owned(),
        "/api/tokens?limit=50&status=revoked".to_owned(),
        format!("/api/tokens?limit=50&owner={owner_id}"),
        "/api/agents".to_owned(),
        "/api/audit?limit=100".to_owned(),
        "/api/audit/verify".to_owned(),
    ]
    .into();
    println!("admin pages at 100,000 tokens, one at a time (median of 5):");
    let mut pages = json!({});
    for path in &admin_paths {
        let mut took = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let answer = owner.get(path).await;
            assert_eq!(answer.status(), 200, "{path}");
            took.push(started.elapsed());
        }
        took.sort();
        println!("  {path:<60} {:>7.1} ms", took[2].as_secs_f64() * 1000.0);
        pages[path.as_str()] = json!(took[2].as_micros() as u64);
    }
    let admin = Target::cycling("admin pages", admin_paths, 200).header("Cookie", cookie);
    let admin_side = Load {
        connections: 1,
        duration: load.duration,
    };
    // Flat out, one connection; then paced at 100 ms between pages, ten a second (a person
    // clicks about one a second). Locally both sides share one runtime on two cores, so the
    // flat-out figure also measures CPU the admin pages take from the agents, which on
    // Cloudflare run in isolates of their own; only D1 is shared there. Served in turn, each
    // open connection gets a request in: with 4 agents' connections an admin page costs the
    // agents what it costs over what 4 downloads cost, with a fleet's 32 over 32 downloads.
    let beside = |admin: Target, label: &str, agents_load: Load, alone: &Figures| {
        let base = server.base().to_owned();
        let admin_run = std::thread::spawn(move || load::run(&base, &admin, admin_side));
        let agents = load::run(server.base(), &download, agents_load);
        let admin_figures = admin_run.join().expect("the admin loop");
        let figure = line(&format!("download beside {label}"), &agents, alone, "alone");
        println!(
            "  {:<44} {:>8.1} req/s  p50 {:>6.1} ms  p99 {:>6.1} ms",
            format!("  (the {label} itself)"),
            admin_figures.per_second(),
            admin_figures.p50_us as f64 / 1000.0,
            admin_figures.p99_us as f64 / 1000.0,
        );
        json!({"agents": figure, "admin": admin_figures})
    };
    println!(
        "agent downloads with 100,000 tokens, alone and beside an admin going through 15 pages:"
    );
    let alone = load::run(server.base(), &download, load);
    let flat_out = beside(admin.clone(), "admin flat out", load, &alone);
    let paced = beside(
        admin.clone().paced(Duration::from_millis(100)),
        "admin at 10/s",
        load,
        &alone,
    );
    let fleet = Load {
        connections: 32,
        ..load
    };
    println!(
        "  with a fleet's 32 connections rather than {}:",
        load.connections
    );
    let fleet_alone = load::run(server.base(), &download, fleet);
    let fleet_flat_out = beside(admin, "admin flat out (32 agents)", fleet, &fleet_alone);
    json!({
        "alone": alone,
        "flatOut": flat_out,
        "paced": paced,
        "fleetAlone": fleet_alone,
        "fleetFlatOut": fleet_flat_out,
        "pageMedianUs": pages
    })
}
