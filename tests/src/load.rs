//! A real load generator for the benchmarks: `wrk` (installed by `scripts/setup.sh`) with
//! `tests/bench/request.lua`, which checks every answer's status and prints the figures.

use crate::repo_root;
use serde::{Deserialize, Serialize};
use std::process::Command;
use std::time::Duration;

/// How long each figure runs and with how many connections. `BENCH_SECONDS` overrides the
/// duration (the figures are ratios, so a short run is still comparable within itself).
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub connections: u32,
    pub duration: Duration,
}

impl Default for Load {
    fn default() -> Self {
        let seconds = std::env::var("BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10);
        Self {
            connections: 4,
            duration: Duration::from_secs(seconds),
        }
    }
}

/// One request kind to load: what to send and the status every answer must have.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub expect: u16,
    /// For the simulated fleet: agents, configuration path and the tokens they use.
    pub fleet: Option<(usize, String, Vec<String>)>,
    /// GET these in turn instead of `path` (which then only names the figure).
    pub paths: Vec<String>,
    /// A pause before each request, for a client that is not flat out.
    pub delay: Option<Duration>,
}

impl Target {
    pub fn get(path: impl Into<String>, expect: u16) -> Self {
        Self {
            method: "GET",
            path: path.into(),
            expect,
            ..Self::default()
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", format!("Bearer {token}"))
    }

    /// GET `paths` in turn, each answering `expect`; `name` labels the figure.
    pub fn cycling(name: &str, paths: Vec<String>, expect: u16) -> Self {
        Self {
            method: "GET",
            path: name.to_owned(),
            paths,
            expect,
            ..Self::default()
        }
    }

    /// The same requests with a pause before each.
    pub fn paced(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    pub fn post(path: impl Into<String>, body: String, expect: u16) -> Self {
        Self {
            method: "POST",
            path: path.into(),
            body: Some(body),
            expect,
            ..Self::default()
        }
        .header("Content-Type", "application/json")
    }
}

/// What `wrk` measured for one figure.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Figures {
    pub requests: u64,
    pub duration_us: u64,
    /// Answers whose status was not the expected one.
    pub wrong: u64,
    pub socket_errors: u64,
    pub mean_us: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Figures {
    /// Two runs of the same request taken as one (a baseline measured before and after the
    /// figures it is compared with, so a machine that slows down during the run shows).
    pub fn together(a: &Figures, b: &Figures) -> Figures {
        Figures {
            requests: a.requests + b.requests,
            duration_us: a.duration_us + b.duration_us,
            wrong: a.wrong + b.wrong,
            socket_errors: a.socket_errors + b.socket_errors,
            mean_us: (a.mean_us * a.requests as f64 + b.mean_us * b.requests as f64)
                / (a.requests + b.requests).max(1) as f64,
            p50_us: a.p50_us.max(b.p50_us),
            p99_us: a.p99_us.max(b.p99_us),
            max_us: a.max_us.max(b.max_us),
        }
    }

    pub fn per_second(&self) -> f64 {
        self.requests as f64 / (self.duration_us as f64 / 1e6)
    }
}

/// Runs `wrk` against `base` and returns its figures; panics on a wrong answer or a socket
/// error, because a benchmark of failing requests measures nothing.
pub fn run(base: &str, target: &Target, load: Load) -> Figures {
    let script = repo_root().join("tests/bench/request.lua");
    let mut command = Command::new("wrk");
    command
        .arg(format!("-t{}", load.connections.clamp(1, 2)))
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{}s", load.duration.as_secs().max(1)))
        .arg("--timeout")
        .arg("10s")
        .arg("-s")
        .arg(&script)
        .arg(format!("{base}/"))
        .env("BENCH_METHOD", target.method)
        .env("BENCH_PATH", &target.path)
        .env("BENCH_EXPECT", target.expect.to_string())
        .env(
            "BENCH_HEADERS",
            target
                .headers
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    if let Some(body) = &target.body {
        command.env("BENCH_BODY", body);
    }
    if let Some(delay) = target.delay {
        command.env("BENCH_DELAY_MS", delay.as_millis().to_string());
    }
    if !target.paths.is_empty() {
        command.env("BENCH_PATHS", target.paths.join("\n"));
    }
    if let Some((agents, config, tokens)) = &target.fleet {
        command.env(
            "BENCH_FLEET",
            format!("{agents},{config},{}", tokens.join(";")),
        );
    }
    let output = command
        .output()
        .expect("run wrk (scripts/setup.sh installs it from apt)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "wrk failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH "))
        .unwrap_or_else(|| panic!("wrk printed no figures: {stdout}"));
    let figures: Figures = serde_json::from_str(line).expect("the script's JSON");
    assert!(
        figures.requests > 0,
        "{} {}: no request completed: {stdout}",
        target.method,
        target.path
    );
    assert_eq!(
        (figures.wrong, figures.socket_errors),
        (0, 0),
        "{} {}: wrong answers or socket errors: {stdout}",
        target.method,
        target.path
    );
    figures
}
