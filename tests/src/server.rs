//! The real worker under `wrangler dev`, with a private local D1 in a temporary directory.

use crate::process::ChildGroup;
use crate::{free_port, repo_root, wait};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod setup;
use setup::*;

pub struct TestServer {
    base: String,
    /// Holds `d1/` (wrangler's --persist-to), the env file and the log.
    dir: tempfile::TempDir,
    log: PathBuf,
    http: reqwest::Client,
    // Dropped last: the process must outlive nothing that still talks to it.
    wrangler: Option<ChildGroup>,
    quiet: bool,
}

/// A failing test shows what its worker printed last, so a hang or a 500 can be read in CI's
/// output rather than guessed at.
impl Drop for TestServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = read_log(&self.log);
            let lines: Vec<&str> = log.lines().collect();
            let tail = &lines[lines.len().saturating_sub(40)..];
            eprintln!(
                "--- the worker's log, last {} lines ---\n{}",
                tail.len(),
                tail.join("\n")
            );
        }
    }
}

/// Settings for one server; each test builds its own.
#[derive(Default)]
pub struct Builder {
    vars: Vec<(String, String)>,
    /// SQL run on the empty database before the migrations: a database an earlier release made.
    before: Option<String>,
    quiet: bool,
}

impl Builder {
    /// A variable or secret for this server only. They reach wrangler through an env file of
    /// the test's own, which also keeps a developer's `.dev.vars` out of every test.
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Runs `sql` on the empty database, and only then applies the migrations, as an upgrade
    /// of a database an earlier release made would.
    pub fn before_migrations(mut self, sql: &str) -> Self {
        self.before = Some(sql.to_owned());
        self
    }

    /// Wrangler prints warnings and errors only. Otherwise each request's log line is one more
    /// call from the runtime into wrangler's Node process, which the load run would measure
    /// along with the worker. The log then holds neither requests nor console.log lines.
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// Prepares the server's directory and applies the migrations, without starting it:
    /// wrangler's answer, for a test of an upgrade that must be refused.
    pub fn migrate(self) -> std::process::Output {
        let (_dir, migrate) = self.prepare();
        migrate
    }

    /// The server's directory, with the migrations applied to its D1 (after `before`), and
    /// what `wrangler d1 migrations apply` answered.
    fn prepare(&self) -> (tempfile::TempDir, std::process::Output) {
        let root = repo_root();
        assert!(
            root.join("worker/build/index.js").exists() && root.join("dist/index.html").exists(),
            "the worker and the SPA must be built first: run `make test` (or `make build`)"
        );
        let dir = tempfile::Builder::new()
            .prefix("tokens-test-")
            .tempdir()
            .expect("temp dir");
        snapshot(&root, dir.path());
        if let Some(sql) = &self.before {
            execute(&root, dir.path(), sql);
        }
        // Applying is idempotent (wrangler records each migration by name), and wrangler's
        // local runtime now and then fails to start while other tests start theirs (seen once
        // as an internal `false == true`): a failed apply is tried again, twice at most.
        let mut attempt = 0;
        let migrate = loop {
            attempt += 1;
            let migrate = wrangler(&root, dir.path())
                .args(["d1", "migrations", "apply", "DB", "--local", "--persist-to"])
                .arg(dir.path().join("d1"))
                .arg("--config")
                .arg(dir.path().join(CONFIG))
                .output()
                .expect("run wrangler d1 migrations apply");
            if migrate.status.success() || attempt == 3 {
                break migrate;
            }
        };
        (dir, migrate)
    }

    pub async fn start(self) -> TestServer {
        let root = repo_root();
        let (dir, migrate) = self.prepare();
        assert!(
            migrate.status.success(),
            "migrations failed 3 times:\n{}\n{}",
            String::from_utf8_lossy(&migrate.stdout),
            String::from_utf8_lossy(&migrate.stderr)
        );
        let log = dir.path().join("wrangler.log");

        // No pooled connections: wrangler dev closes idle ones, and a request on a connection
        // it has just closed fails with IncompleteMessage.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .expect("http client");
        let (base, child) = spawn(&root, dir.path(), &log, &http, &self.vars, self.quiet).await;
        TestServer {
            base,
            dir,
            log,
            http,
            wrangler: Some(child),
            quiet: self.quiet,
        }
    }
}

/// The repository's wrangler, run from the repository root, its debug log in `dir`, sending
/// nothing to Cloudflare.
pub fn wrangler_in(dir: &Path) -> Command {
    wrangler(&repo_root(), dir)
}

impl TestServer {
    pub fn builder() -> Builder {
        Builder::default()
    }

    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// A fresh server and its Owner, signed in: where most tests begin.
    pub async fn with_owner() -> (Self, crate::Actor) {
        let server = Self::start().await;
        let owner = server.owner().await;
        (server, owner)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request built with [`TestServer::http`], checking the answer against the
    /// OpenAPI document (see [`crate::contract`]).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> reqwest::Response {
        crate::contract::send(&self.http, request).await
    }

    /// An anonymous `GET`, checked against the OpenAPI document like every answer.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.send(self.http.get(self.url(path))).await
    }

    /// `GET /api/auth/status`: whether the instance still waits for its first user.
    pub async fn setup_required(&self) -> bool {
        let response = self.get("/api/auth/status").await;
        let status: shared::api::AuthStatus =
            crate::answers::expect_json(response, reqwest::StatusCode::OK).await;
        status.setup_required
    }

    /// With `OWNER_TOKEN` set to `value`, as an operator bootstrapping an instance would.
    pub async fn with_owner_token(value: &str) -> Self {
        Self::builder().var("OWNER_TOKEN", value).start().await
    }

    /// A client that follows no redirects and keeps no cookies.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Every file under the persist directory: the D1 SQLite database, its WAL and journal.
    pub fn persisted_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(&self.dir.path().join("d1"), &mut files);
        files
    }

    /// Runs SQL against this server's local D1 through `wrangler d1 execute` (a separate
    /// process, as an operator would), returning the rows of the last statement.
    pub fn sql(&self, sql: &str) -> Vec<serde_json::Value> {
        execute(&repo_root(), self.dir.path(), sql)
            .as_array()
            .and_then(|results| results.last())
            .and_then(|last| last["results"].as_array())
            .cloned()
            .unwrap_or_default()
    }

    /// Every row of every table of the application (not SQLite's, D1's or the migrations'),
    /// each as `["table", [its columns…]]` in JSON text: what a test searches to prove that
    /// nothing of something deleted stays anywhere.
    pub fn every_row(&self) -> Vec<String> {
        let tables = self.sql(
            "SELECT m.name AS t, group_concat(p.name, ',') AS cols FROM sqlite_schema m, \
             pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name NOT LIKE '_cf_%' AND m.name != 'd1_migrations' GROUP BY m.name",
        );
        assert!(tables.len() >= 8, "{tables:?}");
        let selects: Vec<String> = tables
            .iter()
            .map(|t| {
                let (table, cols) = (t["t"].as_str().unwrap(), t["cols"].as_str().unwrap());
                format!("SELECT json_array('{table}', json_array({cols})) AS r FROM \"{table}\"")
            })
            .collect();
        // D1 allows a few terms per compound SELECT: a handful of tables a statement.
        selects
            .chunks(4)
            .flat_map(|some| self.sql(&some.join(" UNION ALL ")))
            .map(|row| row["r"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Runs SQL as [`Self::sql`] does, for a statement that may fail: wrangler's own output.
    /// Inserts `n` tokens owned by `owner` straight into D1, in one statement: "{prefix} {i}"
    /// for i from `from`, every third never used, every other one never expiring.
    pub fn seed_tokens(&self, owner: shared::UserId, from: u64, n: u64, prefix: &str) {
        self.sql(&format!(
            "WITH RECURSIVE k(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM k WHERE i < {last}) \
             INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, owner_id, \
               created_by_kind, created_by_user, last_used_at, expires_at, ceiling_role) \
             SELECT printf('%08x-0000-4000-8000-%012x', i, i), '{prefix} ' || i, printf('%064x', i), '0000', \
               'configs:read', 'user', 1700000000000 + i, '{owner}', 'user', '{owner}', \
               CASE WHEN i % 3 = 0 THEN NULL ELSE 1700000000000 + i * 7 END, \
               CASE WHEN i % 2 = 0 THEN NULL ELSE 4000000000000 + i END, 'owner' FROM k",
            last = from + n - 1
        ));
    }

    pub fn try_sql(&self, sql: &str) -> std::process::Output {
        try_execute(&repo_root(), self.dir.path(), sql)
    }

    /// Stops the worker and starts it again on the same D1 with these variables instead, as
    /// a redeploy with changed settings would.
    pub async fn restart(&mut self, vars: &[(&str, &str)]) {
        drop(self.wrangler.take());
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let (base, child) = spawn(
            &repo_root(),
            self.dir.path(),
            &self.log,
            &self.http,
            &vars,
            self.quiet,
        )
        .await;
        self.base = base;
        self.wrangler = Some(child);
    }

    /// The CPU time workerd (the Workers runtime, its local D1 included) has used so far: the
    /// difference over a run of requests, divided by their number, bounds what each cost the
    /// Worker from above (it also holds D1's SQLite and the runtime's HTTP).
    pub fn workerd_cpu(&self) -> Duration {
        self.wrangler
            .as_ref()
            .map_or(Duration::ZERO, |w| w.cpu_time("workerd"))
    }

    /// What wrangler and the worker printed so far.
    pub fn log(&self) -> String {
        read_log(&self.log)
    }

    /// Every time wrangler reloaded the worker after it first started, each with the lines of
    /// its debug log just before (what it saw change). A reload answers the requests in flight
    /// with wrangler's own 503 ("Your worker restarted mid-request"): nothing of the worker's,
    /// but a test that sees one must say why it happened.
    pub fn reloads(&self) -> Vec<String> {
        let Ok(file) = std::fs::File::open(self.dir.path().join("wrangler-debug.log")) else {
            return Vec::new();
        };
        // The file is a run of entries, each a "--- <time> <level>" line and its message.
        let mut entries: Vec<String> = Vec::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(file)).map_while(Result::ok) {
            match entries.last_mut() {
                Some(entry) if !line.starts_with("--- ") => {
                    entry.push('\n');
                    entry.push_str(&line);
                }
                _ => entries.push(line),
            }
        }
        // The runtime's inspector events are most of the file and never a cause.
        let telling: Vec<&String> = entries
            .iter()
            .filter(|e| !e.contains("[InspectorProxyWorker]") && !e.contains("teardown"))
            .collect();
        telling
            .iter()
            .enumerate()
            .filter(|(_, e)| e.contains("Reloading local server"))
            .map(|(i, _)| {
                let before = &telling[i.saturating_sub(4)..i];
                before
                    .iter()
                    .map(|e| e.trim())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    }
}
