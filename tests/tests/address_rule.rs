//! A token's address allow-list is one rule in two forms (`shared::addresses`): Rust decides
//! for every route (`auth::judge`), SQL guards the heartbeat's write in the lookup's own batch.
//! Here D1 evaluates the SQL form for lists and client addresses on each side of their blocks'
//! edges, IPv4, IPv6 and IPv4-mapped, and agrees with the Rust form every time.

use shared::addresses::{self, allows, client_bits};
use tests::TestServer;

#[tokio::test]
async fn d1_admits_exactly_the_addresses_rust_admits() {
    let server = TestServer::start().await;
    let lists: Vec<Option<Vec<&str>>> = vec![
        None,
        Some(vec!["203.0.113.0/24"]),
        Some(vec!["203.0.113.128/25", "2001:db8::/32"]),
        Some(vec!["10.0.0.0/8", "198.51.100.7"]),
        Some(vec!["2001:db8:abcd::/48"]),
    ];
    let clients = [
        None,
        Some("203.0.113.0"),
        Some("203.0.113.127"),
        Some("203.0.113.128"),
        Some("203.0.113.255"),
        Some("203.0.114.0"),
        Some("::ffff:203.0.113.200"),
        Some("2001:db8::1"),
        Some("2001:db8:abcd:ffff::1"),
        Some("2001:db8:abce::1"),
        Some("2001:db9::"),
        Some("10.255.255.255"),
        Some("11.0.0.0"),
        Some("198.51.100.7"),
        Some("198.51.100.8"),
        Some("not an address"),
    ];
    let mut cases = Vec::new();
    for list in &lists {
        let entries: Option<Vec<String>> = list
            .as_ref()
            .map(|l| l.iter().map(|e| (*e).to_owned()).collect());
        let blocks = addresses::parse(entries.as_deref()).unwrap();
        let json = blocks.as_ref().map(|b| serde_json::to_string(b).unwrap());
        for client in clients {
            let bits = client_bits(client);
            let rust = allows(blocks.as_deref(), bits.as_deref());
            cases.push((list.clone(), client, json.clone(), bits, rust));
        }
    }
    let literal = |v: &Option<String>| v.as_ref().map_or("NULL".to_owned(), |v| format!("'{v}'"));
    let values: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, (_, _, json, bits, _))| format!("({i}, {}, {})", literal(json), literal(bits)))
        .collect();
    // The client's bits come from a column here, as from a placeholder in the worker.
    let rule = addresses::sql("t.allowed_addresses", "t.bits");
    let rows = server.sql(&format!(
        "WITH t(i, allowed_addresses, bits) AS (VALUES {}) \
         SELECT i, CASE WHEN {rule} THEN 1 ELSE 0 END AS ok FROM t ORDER BY i",
        values.join(", ")
    ));
    assert_eq!(rows.len(), cases.len());
    let (mut admitted, mut refused) = (0, 0);
    for (row, (list, client, _, _, rust)) in rows.iter().zip(&cases) {
        assert_eq!(row["ok"] == 1, *rust, "{list:?} from {client:?}");
        if *rust {
            admitted += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        admitted > 20 && refused > 20,
        "both answers occur: {admitted} / {refused}"
    );
}
