//! `make bench`: benchmarks, not timed tests. Every figure is a `wrk` run (4 connections, 10 s
//! unless `BENCH_SECONDS` says otherwise) printed beside a baseline measured in the same run,
//! and all of them are written to `target/bench.json`. They fail only on wrong answers.
//!
//! Run one at a time (`--test-threads=1`): two figures measured at once would share the
//! machine's two cores and say nothing.

use serde_json::{json, Value};
use shared::api::{BulkDeleted, TokenList};
use std::time::{Duration, Instant};
use tests::browser::Browser;
use tests::load::{self, Figures, Load, Target};
use tests::{now_ms, repo_root, Actor, TestServer, PASSWORD};

/// Merges `section` into `target/bench.json` (each test writes its own key).
fn record(section: &str, value: Value) {
    let path = repo_root().join("target/bench.json");
    let mut all: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}));
    all[section] = value;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&all).unwrap()).unwrap();
}

fn line(label: &str, f: &Figures, base: &Figures, base_label: &str) -> Value {
    let ratio = f.per_second() / base.per_second();
    println!(
        "  {label:<44} {:>8.1} req/s  p50 {:>6.1} ms  p99 {:>6.1} ms  x{ratio:.2} of {base_label}",
        f.per_second(),
        f.p50_us as f64 / 1000.0,
        f.p99_us as f64 / 1000.0,
    );
    json!({"figures": f, "requestsPerSecond": f.per_second(), "baseline": base_label, "ratio": ratio})
}

/// Runs `target` like `load::run`, and what it cost workerd: CPU milliseconds per request
/// (`TestServer::workerd_cpu`, an upper bound of the Worker's own).
fn run_measured(server: &TestServer, target: &Target, load: Load) -> (Figures, f64) {
    let before = server.workerd_cpu();
    let figures = load::run(server.base(), target, load);
    let spent = server.workerd_cpu().saturating_sub(before);
    let per_request = spent.as_secs_f64() * 1000.0 / figures.requests.max(1) as f64;
    (figures, per_request)
}

fn session(actor: &Actor) -> String {
    match &actor.auth {
        tests::actors::Auth::Session(cookie) => format!("tc_session={cookie}"),
        _ => panic!("a signed-in actor"),
    }
}

const CONFIG: &str = "[agent]\n  interval = \"10s\"\n\n[[outputs.heartbeat]]\n  url = \"http://127.0.0.1/agents/heartbeat\"\n";

mod agents;
mod audit;
mod bulk;
mod capacity;
mod fleet;
mod list;
mod visits;
