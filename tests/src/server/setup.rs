//! Starting `wrangler dev` on a private copy of the configuration and a private D1, and
//! running SQL against that D1 as an operator would.

use super::*;

/// Writes the env file and starts `wrangler dev` on a free port, retrying when the port was
/// taken in between; returns the base URL once `/api/health` answers.
pub(super) async fn spawn(
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
pub(super) fn snapshot(root: &Path, dir: &Path) {
    let app = dir.join("app");
    for (from, to) in [
        ("worker/build", "worker"),
        ("dist", "dist"),
        ("worker/migrations", "migrations"),
    ] {
        copy_tree(&root.join(from), &app.join(to));
    }
    write_config(root, &dir.join(CONFIG));
}

/// The test server's config file, in its directory.
pub(super) const CONFIG: &str = "wrangler.toml";

/// The repository's wrangler.toml with the worker, the assets and the migrations taken from
/// the snapshot in `app/` beside `path`.
pub(super) fn write_config(root: &Path, path: &Path) {
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
            app.join("migrations"),
        ),
    ] {
        assert!(config.contains(line), "wrangler.toml no longer says {line}");
        let key = line.split(" = ").next().unwrap_or_default();
        written = written.replace(line, &format!("{key} = {:?}", value.display().to_string()));
    }
    std::fs::write(path, written).expect("write the test server's config");
}

pub(super) fn copy_tree(from: &Path, to: &Path) {
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

/// Runs SQL through `wrangler d1 execute` against the local D1 of the test directory `dir`.
pub(super) fn try_execute(root: &Path, dir: &Path, sql: &str) -> std::process::Output {
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
pub(super) fn execute(root: &Path, dir: &Path, sql: &str) -> serde_json::Value {
    let output = try_execute(root, dir, sql);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{sql}: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// Wrangler, run from the repository, keeping its files in the test's directory `dir`.
///
/// Wrangler appends every message it handles, debug ones included, to a log file whatever the
/// log level: under `wrangler dev` that is each of the runtime's inspector events, several per
/// D1 query, 150 MB for the load run alone. By default the file goes to
/// `~/.config/.wrangler/logs` and stays there (3.3 GB after a week of test runs on one
/// machine); in `dir` it goes away with the test.
pub(super) fn wrangler(root: &Path, dir: &Path) -> Command {
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

pub(super) fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
