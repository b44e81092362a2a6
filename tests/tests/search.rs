//! Search and totals that read a bounded number of rows: the description is found
//! through the index of its three-character pieces (`token_grams`), kept by triggers on
//! every write path; totals come from counters, or stop counting at 1,000.

use serde_json::{json, Value};
use shared::api::TokenList;
use shared::listing::{COUNT_CAP, SEARCH_WINDOW};
use tests::{Actor, TestServer};

fn names(list: &TokenList) -> Vec<String> {
    let mut names: Vec<String> = list.items.iter().map(|t| t.name.clone()).collect();
    names.sort();
    names
}

async fn search(actor: &Actor, text: &str) -> TokenList {
    let q: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
    actor.tokens(&format!("?limit=200&q={q}")).await
}

/// The names a full scan with SQLite's own `instr(lower(name), lower(q))` finds: what the
/// index must agree with.
fn scanned(server: &TestServer, text: &str) -> Vec<String> {
    let quoted = text.replace('\'', "''");
    let mut names: Vec<String> = server
        .sql(&format!(
            "SELECT name FROM tokens WHERE instr(lower(name), lower('{quoted}')) > 0"
        ))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// Every piece the triggers keep is exactly what the names give, none for a gone token.
fn assert_index_matches_names(server: &TestServer) {
    let stale = server.sql(
        "SELECT (SELECT COUNT(*) FROM token_grams) AS kept, \
         (SELECT COUNT(*) FROM (SELECT DISTINCT substr(lower(t.name), p.i, 3), t.id FROM tokens t \
           JOIN search_positions p ON p.i <= length(t.name))) AS expected, \
         (SELECT COUNT(*) FROM token_grams g WHERE NOT EXISTS \
           (SELECT 1 FROM tokens t WHERE t.id = g.token_id AND instr(lower(t.name), g.gram) > 0)) AS orphans",
    );
    let row = &stale[0];
    assert_eq!(
        row["kept"], row["expected"],
        "pieces kept against pieces of the names: {row}"
    );
    assert_eq!(row["orphans"], json!(0), "{row}");
}

/// Every counter equals a count of the rows it stands for.
fn assert_counters_match_rows(server: &TestServer) {
    let wrong = server.sql(
        "SELECT c.scope, c.n, (SELECT COUNT(*) FROM tokens t WHERE c.scope = '*' \
           OR COALESCE(t.owner_id, '') = c.scope) AS counted FROM token_counts c \
         WHERE c.n != (SELECT COUNT(*) FROM tokens t WHERE c.scope = '*' OR COALESCE(t.owner_id, '') = c.scope) \
         UNION ALL SELECT COALESCE(owner_id, ''), NULL, COUNT(*) FROM tokens \
           WHERE COALESCE(owner_id, '') NOT IN (SELECT scope FROM token_counts) GROUP BY 1",
    );
    assert_eq!(
        wrong,
        Vec::<Value>::new(),
        "counters that disagree with the rows"
    );
}

#[tokio::test]
async fn search_finds_any_part_of_a_description_and_agrees_with_a_full_scan() {
    let (server, owner) = TestServer::with_owner().await;
    for name in [
        "Web-Prod-01",
        "web-prod-02",
        "db-primary",
        "aaaa",
        "Zebra Café",
        "x",
        "edge 42 (eu)",
    ] {
        owner.create_token(json!({ "name": name })).await;
    }
    assert_index_matches_names(&server);
    // One, two, three and more characters; case; a piece repeated in one name; a text
    // longer than any name; characters that mean something to SQL and to LIKE.
    for text in [
        "b",
        "PR",
        "prod",
        "PROD-0",
        "-01",
        "aaa",
        "aaaa",
        "aaaaa",
        "café",
        "é",
        "x",
        "42 (",
        "%",
        "_",
        "'",
        "db-primary-and-more",
        "rod-0",
    ] {
        let found = search(&owner, text).await;
        assert_eq!(names(&found), scanned(&server, text), "q={text:?}");
        assert_eq!(found.total as usize, found.items.len(), "q={text:?}");
        assert!(!found.total_capped, "q={text:?}");
    }
    assert_eq!(
        names(&search(&owner, "prod").await),
        ["Web-Prod-01", "web-prod-02"]
    );

    // The owner's name and the hint ending still find tokens, without the description.
    let everyone = search(&owner, "the owner").await;
    assert_eq!(everyone.total, 7, "{:?}", names(&everyone));
    let created = owner.create_token(json!({ "name": "hinted" })).await;
    let last4 = &created.secret[created.secret.len() - 4..];
    let by_hint = search(&owner, last4).await;
    assert!(
        by_hint.items.iter().any(|t| t.id == created.token.id),
        "q={last4}"
    );

    // A rename (any write path: here SQL) and a delete keep the index exact.
    server.sql("UPDATE tokens SET name = 'db-replica' WHERE name = 'db-primary'");
    assert_eq!(search(&owner, "primary").await.total, 0);
    assert_eq!(names(&search(&owner, "replica").await), ["db-replica"]);
    let gone = search(&owner, "web-prod-02").await.items[0].id;
    assert_eq!(
        owner.delete(&format!("/api/tokens/{gone}")).await.status(),
        204
    );
    assert_eq!(names(&search(&owner, "prod").await), ["Web-Prod-01"]);
    assert_index_matches_names(&server);
}

#[tokio::test]
async fn totals_are_exact_from_counters_and_filtered_ones_stop_at_the_cap() {
    let (server, owner) = TestServer::with_owner().await;
    let manager = owner.create_user("mia", "manager").await;
    manager.create_token(json!({ "name": "mia's agent" })).await;
    server.seed_tokens(owner.user_id(), 1, 1_100, "seed");
    assert_counters_match_rows(&server);

    // Unfiltered, per owner (the filter, or a Manager's own scope): exact, any size.
    let all = owner.tokens("?limit=5").await;
    assert_eq!((all.total, all.total_capped), (1_101, false));
    let owners = owner
        .tokens(&format!("?limit=5&owner={}", owner.user_id()))
        .await;
    assert_eq!((owners.total, owners.total_capped), (1_100, false));
    let own = manager.tokens("").await;
    assert_eq!((own.total, own.total_capped), (1, false));

    // Filtered: counted up to the cap, then "more than".
    let broad = owner.tokens("?limit=5&q=seed").await;
    assert_eq!((broad.total, broad.total_capped), (COUNT_CAP, true));
    // Every piece of "seed" is in more than 1,000 descriptions: the list is walked in its
    // order; a rarer text goes through the index and is sorted. Same order either way.
    let newest: Vec<&str> = broad.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        newest,
        [
            "seed 1100",
            "seed 1099",
            "seed 1098",
            "seed 1097",
            "seed 1096"
        ]
    );
    let cursor = broad.next_cursor.expect("more pages");
    let after = owner
        .tokens(&format!("?limit=2&q=seed&cursor={cursor}"))
        .await;
    let after: Vec<&str> = after.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(after, ["seed 1095", "seed 1094"]);
    let by_name = owner
        .tokens("?limit=3&q=seed%20109&sort=name&order=asc")
        .await;
    let by_name: Vec<&str> = by_name.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(by_name, ["seed 109", "seed 1090", "seed 1091"]);
    let short = owner.tokens("?limit=2&q=ee").await;
    assert_eq!((short.total, short.total_capped), (COUNT_CAP, true));
    let short: Vec<&str> = short.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(short, ["seed 1100", "seed 1099"]);
    // seed 10, 100-109, 1000-1099: 111, below the cap, exact.
    let narrow = owner.tokens("?limit=200&q=seed%2010").await;
    assert_eq!((narrow.total, narrow.total_capped), (111, false));
    assert_eq!(narrow.items.len(), 111);
    // Half the seeded tokens never expire, the other half in the far future: all active.
    let active = owner.tokens("?limit=1&status=active").await;
    assert_eq!((active.total, active.total_capped), (COUNT_CAP, true));
    // With a text: an indexed one checks its few candidates in place, a common one walks.
    let rare = owner.tokens("?limit=200&q=seed%2010&status=active").await;
    assert_eq!(
        (rare.total, rare.total_capped, rare.items.len()),
        (111, false, 111)
    );
    let common = owner.tokens("?limit=2&q=seed&status=active").await;
    assert_eq!((common.total, common.total_capped), (COUNT_CAP, true));
    let expiring = owner.tokens("?limit=2&q=seed&status=expiring").await;
    assert_eq!((expiring.total, expiring.total_capped), (0, false));
    let revoked = owner.tokens("?limit=1&status=revoked").await;
    assert_eq!((revoked.total, revoked.total_capped), (0, false));

    // Every write path keeps the counters: delete, bulk delete, reassign, a user deleted
    // with their tokens.
    let mias = manager.tokens("").await.items[0].id;
    assert_eq!(owner.reassign(mias, owner.user_id()).await.status(), 200);
    assert_eq!(manager.tokens("").await.total, 0);
    let page = owner.tokens("?limit=3&q=seed%201").await;
    let ids: Vec<String> = page.items.iter().map(|t| t.id.to_string()).collect();
    let bulk = owner
        .post("/api/tokens/bulk-delete", &json!({ "ids": ids }))
        .await;
    assert_eq!(
        bulk.status(),
        200,
        "{}",
        bulk.text().await.unwrap_or_default()
    );
    assert_counters_match_rows(&server);
    assert_eq!(owner.tokens("?limit=1").await.total, 1_098);

    let leaving = owner.create_user("lee", "manager").await;
    leaving.create_token(json!({ "name": "lee's agent" })).await;
    assert_eq!(owner.tokens("?limit=1").await.total, 1_099);
    let lee = leaving.user_id();
    assert_eq!(
        owner.delete(&format!("/api/users/{lee}")).await.status(),
        204
    );
    assert_eq!(owner.tokens("?limit=1").await.total, 1_098);
    assert_counters_match_rows(&server);
    assert_eq!(
        server.sql(&format!(
            "SELECT scope FROM token_counts WHERE scope = '{lee}'"
        )),
        Vec::<Value>::new(),
        "a deleted user's counter goes with them"
    );
    assert_index_matches_names(&server);
}

/// What D1 read for a token-list request, from its `Server-Timing` header.
async fn rows_read(actor: &Actor, query: &str) -> (TokenList, u64) {
    let response = actor.get(&format!("/api/tokens{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    let read = tests::answers::rows_read(&response);
    (response.json().await.expect("a token list"), read)
}

/// A text whose every piece is common but which is rare as a whole makes the list walk; each
/// request examines at most `SEARCH_WINDOW` tokens, says when there is more to search, and its
/// cursor goes on from the last token examined, in any order.
#[tokio::test]
async fn a_walking_search_examines_a_window_per_request_and_goes_on_from_there() {
    let (server, owner) = TestServer::with_owner().await;
    // The oldest token, and after it 2,600 whose descriptions hold every piece of the text.
    server.seed_tokens(owner.user_id(), 1, 1, "words common");
    server.seed_tokens(owner.user_id(), 2, 2_600, "common words");
    let window = SEARCH_WINDOW;
    for (order, query) in [
        ("newest first", "?limit=50&q=words%20common"),
        ("by name", "?limit=50&q=words%20common&sort=name&order=asc"),
    ] {
        let (first, read) = rows_read(&owner, query).await;
        assert!(first.items.is_empty(), "{order}: {:?}", names(&first));
        assert!(first.more_to_search, "{order}");
        // Counted among the tokens examined: none yet, so "at least 0".
        assert_eq!((first.total, first.total_capped), (0, true), "{order}");
        // The pieces (at most 8 x 1,001 index entries), then the window three times (page,
        // count, where it ends), whatever the number of tokens.
        assert!(
            read <= 8 * (COUNT_CAP + 1) + 3 * window + 100,
            "{order}: read {read}"
        );
        let cursor = first.next_cursor.expect("a cursor to search further");
        let (second, _) = rows_read(&owner, &format!("{query}&cursor={cursor}")).await;
        assert_eq!(names(&second), ["words common 1"], "{order}");
        assert!(
            !second.more_to_search && second.next_cursor.is_none(),
            "{order}"
        );
    }
    // The Active filter walks the same way: with every token but the oldest revoked, the
    // first window holds no active token, the next finds it.
    server.sql("UPDATE tokens SET revoked_at = 1700000009999 WHERE name != 'words common 1'");
    let (first, read) = rows_read(&owner, "?limit=50&status=active").await;
    assert!(first.items.is_empty() && first.more_to_search);
    assert!(read <= 6 * window + 100, "active: read {read}");
    let cursor = first.next_cursor.expect("a cursor to look further");
    let (second, _) = rows_read(&owner, &format!("?limit=50&status=active&cursor={cursor}")).await;
    assert_eq!(names(&second), ["words common 1"]);
    assert!(!second.more_to_search && second.next_cursor.is_none());
    server.sql("UPDATE tokens SET revoked_at = NULL");

    // A text that is common as a whole fills its page inside the window, in the list's
    // order, reading about a page's rows and the count's.
    for (query, expected) in [
        (
            "?limit=3&q=common%20words",
            [
                "common words 2601",
                "common words 2600",
                "common words 2599",
            ],
        ),
        (
            "?limit=3&q=common%20words&sort=name&order=asc",
            ["common words 10", "common words 100", "common words 1000"],
        ),
        (
            "?limit=3&q=common%20words&sort=createdAt&order=asc",
            ["common words 2", "common words 3", "common words 4"],
        ),
    ] {
        let (common, read) = rows_read(&owner, query).await;
        let shown: Vec<&str> = common.items.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(shown, expected, "{query}");
        assert!(!common.more_to_search, "{query}");
        assert_eq!((common.total, common.total_capped), (COUNT_CAP, true));
        assert!(
            read <= 8 * (COUNT_CAP + 1) + 2 * COUNT_CAP,
            "{query}: read {read}"
        );
        let cursor = common.next_cursor.expect("a next page");
        let (next, _) = rows_read(&owner, &format!("{query}&cursor={cursor}")).await;
        assert_eq!(next.items.len(), 3, "{query}");
        assert!(next
            .items
            .iter()
            .all(|t| !expected.contains(&t.name.as_str())));
    }
}
