//! The schema is one file (`worker/migrations/0019_schema.sql`) standing for the 18 migrations
//! that built it. On a database those made it changes nothing; a database they left half-way
//! is refused with what to do, before anything is touched.

use serde_json::json;
use tests::TestServer;

/// The names under which a database made by the earlier releases recorded its migrations.
const EARLIER: [&str; 18] = [
    "0001_tokens.sql",
    "0002_users.sql",
    "0003_token_lifecycle.sql",
    "0004_configs_and_agents.sql",
    "0005_security.sql",
    "0006_agent_health.sql",
    "0007_heartbeat_writes.sql",
    "0008_token_hygiene.sql",
    "0009_one_value_one_token.sql",
    "0010_signin_throttling.sql",
    "0011_actor_references.sql",
    "0012_bounded_admin_reads.sql",
    "0013_least_privilege.sql",
    "0014_token_policy.sql",
    "0015_audit_origins.sql",
    "0016_audit_key.sql",
    "0017_audit_forwarding.sql",
    "0018_audit_actor_nocase.sql",
];

/// wrangler's own table of applied migrations, with the first `n` earlier names in it.
fn recorded(n: usize) -> String {
    let names: Vec<String> = EARLIER[..n].iter().map(|m| format!("('{m}')")).collect();
    format!(
        "CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, \
         applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP); \
         INSERT INTO d1_migrations (name) VALUES {};",
        names.join(", ")
    )
}

/// A database at migration 0018 holds this schema already (the file was written from one and
/// compared object by object: columns, constraints, indexes in their order, triggers, rows).
/// Applying the file there again is what an upgrade does: it must change nothing.
#[tokio::test]
async fn a_database_the_earlier_migrations_made_is_kept_as_it_is() {
    let schema =
        std::fs::read_to_string(tests::repo_root().join("worker/migrations/0019_schema.sql"))
            .expect("read the schema");
    let data = "INSERT INTO configs (id, name, toml, created_at, updated_at) \
                VALUES ('00000000-0000-4000-8000-0000000000c1', 'site a', '[agent]', 1, 2); \
                UPDATE token_policy SET max_lifetime_days = 90, updated_at = 3; \
                UPDATE audit_forwarding SET delivered = 7;";
    let server = TestServer::builder()
        .before_migrations(&format!("{}\n{schema}\n{data}", recorded(18)))
        .start()
        .await;
    assert_eq!(
        server.sql("SELECT name, toml FROM configs"),
        vec![json!({"name": "site a", "toml": "[agent]"})]
    );
    assert_eq!(
        server.sql("SELECT max_lifetime_days AS d FROM token_policy"),
        vec![json!({"d": 90})]
    );
    assert_eq!(
        server.sql(
            "SELECT (SELECT delivered FROM audit_forwarding) AS delivered, \
             (SELECT COUNT(*) FROM search_positions) AS positions, \
             (SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_upgrade_guard') AS guard, \
             (SELECT COUNT(*) FROM d1_migrations) AS applied"
        ),
        vec![json!({"delivered": 7, "positions": 255, "guard": 0, "applied": 19})]
    );
    let owner = server.owner().await;
    let configs = owner.get("/api/configs").await;
    assert_eq!(configs.status(), reqwest::StatusCode::OK);
    assert!(configs.text().await.unwrap().contains("site a"));
}

/// A database the earlier migrations left at 0012 lacks what 0013 to 0018 did to its rows;
/// creating the missing tables around them would leave it half-made. It is refused, naming
/// what to do, and a fresh database is not (every other test starts from one).
#[tokio::test]
async fn a_database_made_before_0018_is_refused_with_what_to_do() {
    let output = TestServer::builder()
        .before_migrations(&format!(
            "{} CREATE TABLE tokens (id TEXT PRIMARY KEY NOT NULL) STRICT;",
            recorded(12)
        ))
        .migrate();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success(), "{said}");
    assert!(
        said.contains("this database was made before migration 0018: apply the migrations of commit 104ff44 first"),
        "{said}"
    );
}
