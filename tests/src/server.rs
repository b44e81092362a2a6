//! The real worker under `wrangler dev`, with a private local D1 in a temporary directory.

use crate::process::ChildGroup;
use crate::{free_port, repo_root, wait};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

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

/// Settings for one server; each test builds its own.
#[derive(Default)]
pub struct Builder {
    vars: Vec<(String, String)>,
    /// Migrations up to this number, then this SQL, then the rest: to test a migration on
    /// data that predates it.
    seed: Option<(u32, String)>,
    quiet: bool,
}

impl Builder {
    /// A variable or secret for this server only. They reach wrangler through an env file of
    /// the test's own, which also keeps a developer's `.dev.vars` out of every test.
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Applies the migrations numbered up to `up_to`, runs `sql` on that database, and only
    /// then applies the remaining migrations, as an upgrade of a live database would.
    pub fn seed_before_migration(mut self, up_to: u32, sql: &str) -> Self {
        self.seed = Some((up_to, sql.to_owned()));
        self
    }

    /// Wrangler prints warnings and errors only. Otherwise each request's log line is one more
    /// call from the runtime into wrangler's Node process, which the load run would measure
    /// along with the worker. The log then holds neither requests nor console.log lines.
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    pub async fn start(self) -> TestServer {
        let root = repo_root();
        assert!(
            root.join("worker/build/index.js").exists() && root.join("dist/index.html").exists(),
            "the worker and the SPA must be built first: run `make test` (or `make build`)"
        );
        let dir = tempfile::Builder::new()
            .prefix("tokens-test-")
            .tempdir()
            .expect("temp dir");
        let persist = dir.path().join("d1");
        let log = dir.path().join("wrangler.log");
        snapshot(&root, dir.path());

        if let Some((up_to, sql)) = &self.seed {
            migrate_partially(&root, dir.path(), &persist, *up_to);
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
                .arg(&persist)
                .arg("--config")
                .arg(dir.path().join(CONFIG))
                .output()
                .expect("run wrangler d1 migrations apply");
            if migrate.status.success() || attempt == 3 {
                break migrate;
            }
        };
        assert!(
            migrate.status.success(),
            "migrations failed {attempt} times:\n{}\n{}",
            String::from_utf8_lossy(&migrate.stdout),
            String::from_utf8_lossy(&migrate.stderr)
        );

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

/// Writes the env file and starts `wrangler dev` on a free port, retrying when the port was
/// taken in between; returns the base URL once `/api/health` answers.
async fn spawn(
    root: &Path,
    dir: &Path,
    log: &Path,
    http: &reqwest::Client,
    vars: &[(String, String)],
    quiet: bool,
) -> (String, ChildGroup) {
    let persist = dir.join("d1");
    let env_file = dir.join("test.env");
    let env_text: String = vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(&env_file, env_text).expect("write the test's env file");
    // A port free a moment ago can be taken before wrangler binds it (by another test's
    // server or by an outgoing connection); then wrangler exits and we try fresh ports.
    let mut attempt = 0;
    loop {
        attempt += 1;
        let port = free_port();
        let log_file = std::fs::File::create(log).expect("create wrangler log");
        let mut dev = wrangler(root, dir);
        dev.args([
            "dev",
            "--ip",
            "127.0.0.1",
            "--show-interactive-dev-session=false",
            // /__scheduled?cron=… runs the daily job on demand (tests of the Cron Trigger).
            "--test-scheduled",
            "--log-level",
            // "log" shows the worker's console.log lines too (the daily run's counts).
            if quiet { "warn" } else { "log" },
        ])
        .args([
            "--port",
            &port.to_string(),
            "--inspector-port",
            &free_port().to_string(),
        ])
        .arg("--persist-to")
        .arg(&persist)
        .arg("--config")
        .arg(dir.join(CONFIG))
        .arg("--env-file")
        .arg(&env_file)
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("clone log handle"))
        .stderr(log_file);
        let mut child = ChildGroup::spawn("wrangler dev", dev);
        let base = format!("http://127.0.0.1:{port}");
        let health = format!("{base}/api/health");
        let outcome = wait::until(
            "wrangler dev to answer /api/health",
            Duration::from_secs(120),
            || {
                let exited = child.exited();
                // When another test's server took the port first, /api/health would answer
                // from that server: only a listening socket of our own group proves it ours.
                let ours = exited.is_none() && child.listens_on(port);
                let request = http.get(&health).send();
                async move {
                    if let Some(status) = exited {
                        return Some(Err(status));
                    }
                    if !ours {
                        return None;
                    }
                    request
                        .await
                        .ok()
                        .filter(|r| r.status().is_success())
                        .map(|_| Ok(()))
                }
            },
        )
        .await;
        match outcome {
            Ok(()) => return (base, child),
            Err(status) => {
                let said = read_log(log);
                // Ports are picked free but can be taken before wrangler binds them, by another
                // test's server starting at the same moment; workerd then fails to start.
                let raced = said.contains("Address already in use")
                    || said.contains("The Workers runtime failed to start");
                if raced && attempt < 4 {
                    continue;
                }
                panic!("{} exited early ({status}):\n{said}", child.name());
            }
        }
    }
}

/// Copies what a server runs (the built worker, the SPA, the migrations) into its directory
/// and writes the config that points at the copies, `CONFIG` there. Wrangler watches what it
/// serves and reloads the worker when a file changes, answering the requests in flight with
/// its own 503: from a copy, a `make build` or a migration edited while tests run (or another
/// checkout's) reaches no running server. Wrangler keeps its own temporary files beside the
/// config, so servers share nothing under the repository's `.wrangler/` either.
fn snapshot(root: &Path, dir: &Path) {
    let app = dir.join("app");
    for (from, to) in [
        ("worker/build", "worker"),
        ("dist", "dist"),
        ("worker/migrations", "migrations"),
    ] {
        copy_tree(&root.join(from), &app.join(to));
    }
    write_config(root, &dir.join(CONFIG), &app.join("migrations"));
}

/// The test server's config file, in its directory.
const CONFIG: &str = "wrangler.toml";

/// The repository's wrangler.toml with the worker, the assets and the migrations taken from
/// the snapshot in `app/` beside `path` (migrations from `migrations` instead).
fn write_config(root: &Path, path: &Path, migrations: &Path) {
    let app = path.parent().expect("config in a directory").join("app");
    let config = std::fs::read_to_string(root.join("wrangler.toml")).expect("read wrangler.toml");
    let mut written = config.clone();
    for (line, value) in [
        (
            "main = \"worker/build/index.js\"",
            app.join("worker/index.js"),
        ),
        ("directory = \"dist\"", app.join("dist")),
        (
            "migrations_dir = \"worker/migrations\"",
            migrations.to_path_buf(),
        ),
    ] {
        assert!(config.contains(line), "wrangler.toml no longer says {line}");
        let key = line.split(" = ").next().unwrap_or_default();
        written = written.replace(line, &format!("{key} = {:?}", value.display().to_string()));
    }
    std::fs::write(path, written).expect("write the test server's config");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create snapshot dir");
    for entry in std::fs::read_dir(from).expect("read a built directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a built file");
        }
    }
}

/// Applies only the migrations numbered up to `up_to`, through a copy of the migrations
/// folder and a config that points at it (wrangler records each applied file by name, so the
/// full apply afterwards runs just the rest).
fn migrate_partially(root: &Path, dir: &Path, persist: &Path, up_to: u32) {
    let partial = dir.join("partial-migrations");
    std::fs::create_dir_all(&partial).expect("create partial migrations dir");
    for entry in std::fs::read_dir(dir.join("app/migrations")).expect("read migrations") {
        let path = entry.expect("migration entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let number: u32 = name
            .get(..4)
            .and_then(|n| n.parse().ok())
            .unwrap_or(u32::MAX);
        if number <= up_to {
            std::fs::copy(&path, partial.join(name)).expect("copy migration");
        }
    }
    let config_path = dir.join("wrangler.partial.toml");
    write_config(root, &config_path, &partial);
    let output = wrangler(root, dir)
        .args(["d1", "migrations", "apply", "DB", "--local", "--persist-to"])
        .arg(persist)
        .arg("--config")
        .arg(&config_path)
        .output()
        .expect("run wrangler d1 migrations apply");
    assert!(
        output.status.success(),
        "partial migrations failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs SQL through `wrangler d1 execute` against the local D1 of the test directory `dir`.
fn try_execute(root: &Path, dir: &Path, sql: &str) -> std::process::Output {
    wrangler(root, dir)
        .args(["d1", "execute", "DB", "--local", "--json", "--persist-to"])
        .arg(dir.join("d1"))
        .arg("--config")
        .arg(dir.join(CONFIG))
        .arg("--command")
        .arg(sql)
        .output()
        .expect("run wrangler d1 execute")
}

/// [`try_execute`] that must succeed, returning its JSON output.
fn execute(root: &Path, dir: &Path, sql: &str) -> serde_json::Value {
    let output = try_execute(root, dir, sql);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{sql}: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
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

/// Wrangler, run from the repository, keeping its files in the test's directory `dir`.
///
/// Wrangler appends every message it handles, debug ones included, to a log file whatever the
/// log level: under `wrangler dev` that is each of the runtime's inspector events, several per
/// D1 query, 150 MB for the load run alone. By default the file goes to
/// `~/.config/.wrangler/logs` and stays there (3.3 GB after a week of test runs on one
/// machine); in `dir` it goes away with the test.
fn wrangler(root: &Path, dir: &Path) -> Command {
    let mut command = Command::new(root.join("node_modules/.bin/wrangler"));
    command
        .current_dir(root)
        .env("WRANGLER_LOG_PATH", dir.join("wrangler-debug.log"))
        .env("WRANGLER_SEND_METRICS", "false")
        .env("WRANGLER_SEND_ERROR_REPORTS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("CI", "1")
        .env("NO_COLOR", "1");
    command
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
