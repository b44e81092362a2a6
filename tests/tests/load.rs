//! Reliability under load (run alone by `make test`, after the other tests): eight
//! connections poll a configuration and post heartbeats for 60 seconds. The run must end with
//! no error and no rising latency (the last 10 s p50 and p90 within 1.5x of the first 10 s;
//! the p99 is printed), and a token deleted halfway must be refused on the next request of
//! every connection.
//!
//! The connections send on a schedule (50 requests a second together), not as fast as answers
//! come. Flat out, the two cores are saturated (about 190 a second), latency measures the
//! queue, and the p99 of a 10 s window is set by two or three moments where the local runtime
//! stops every connection at once for 150-200 ms: its tail climbs over its first minute
//! whatever the worker does (a hello-world worker under the same `wrangler dev`: p99 x1.9,
//! p50 flat), and this check failed one run in four that way. On a schedule 8 runs measured
//! x0.74 to x1.31, p50 flat at 6-9 ms; each 10 s window is printed. Session 7 then saw p99
//! x1.72 with p50 x1.00 and p90 flat (9-10 ms in every window): one 50 ms pause in the fifth
//! window and a 25 ms one in the last. A p99 over ~500 requests is its 5 slowest, so that
//! check judged the runtime's pauses, not the worker: the trend is now judged on p50 and p90,
//! which a slower worker moves and a pause does not.

use reqwest::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tests::{answers::token_refusal, TestServer};
use tokio::sync::watch;

const CONNECTIONS: usize = 8;
const CONFIG: &str = "[agent]\n  interval = \"10s\"\n";

/// `LOAD_SECONDS` shortens the run while working on this test; `make test` runs the full 60.
fn run_length() -> Duration {
    Duration::from_secs(
        std::env::var("LOAD_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(60),
    )
}

/// Requests per second from all connections together (`LOAD_RATE` changes it), each
/// connection on a schedule of its own as agents are: 50 a second is a fleet of 1,500 agents
/// polling every 30 s, a quarter of what this machine serves flat out.
fn rate() -> f64 {
    std::env::var("LOAD_RATE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50.0)
}

struct Sample {
    at: Duration,
    latency: Duration,
}

#[derive(Default)]
struct Connection {
    samples: Vec<Sample>,
    errors: Vec<String>,
    /// The answer to the doomed token's first request sent after its deletion completed.
    after_delete: Option<String>,
}

/// The `q`th percentile of latencies already sorted.
fn percentile(sorted: &[Duration], q: usize) -> Duration {
    assert!(!sorted.is_empty(), "a window without requests");
    sorted[(sorted.len() * q / 100).min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_connections_for_sixty_seconds_no_error_no_rising_latency_and_deletion_is_immediate()
{
    // Quiet: no request log line, each of which is one more call from the runtime into
    // wrangler's Node process (already busy with four inspector events per D1 query).
    let server = TestServer::builder().quiet().start().await;
    let owner = server.owner().await;
    let config = owner.create_config("load", CONFIG).await;
    let kept = owner.agent_token("kept").await;
    let doomed = owner.agent_token("doomed").await;
    let length = run_length();
    let started = Instant::now();
    // When the deletion completed (as an offset from the start), once it has.
    let (deleted_tx, deleted_rx) = watch::channel(None::<Duration>);
    let server = Arc::new(server);

    let period = Duration::from_secs_f64(CONNECTIONS as f64 / rate());
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..CONNECTIONS {
        let (server, deleted) = (server.clone(), deleted_rx.clone());
        let (kept, doomed) = (kept.secret.clone(), doomed.secret.clone());
        let config_id = config.id;
        tasks.spawn(async move {
            // One client per connection, holding one keep-alive connection.
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let beat =
                json!({"id": format!("load-{c}"), "version": "Telegraf 1.39.0", "status": "OK"});
            let toml = server.url(&format!("/api/configs/{config_id}/toml"));
            let mut this = Connection::default();
            let mut n = 0u64;
            // Staggered, so the connections do not all send at the same instant.
            let first = Instant::now() + period * c as u32 / CONNECTIONS as u32;
            let mut schedule = tokio::time::interval_at(first.into(), period);
            schedule.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while Instant::now() < started + length {
                schedule.tick().await;
                n += 1;
                let deleted_at = *deleted.borrow();
                let sent = started.elapsed();
                if n % 4 == 0 && this.after_delete.is_none() {
                    // Every fourth request uses the token that is deleted halfway.
                    let response = http.get(&toml).bearer_auth(&doomed).send().await;
                    let Ok(response) = response else {
                        this.errors.push(format!("doomed: {response:?}"));
                        continue;
                    };
                    match deleted_at {
                        Some(_) => this.after_delete = Some(token_refusal(response).await),
                        None if response.status() == StatusCode::OK => {}
                        // Sent before the deletion completed, answered after it began.
                        None if response.status() == StatusCode::UNAUTHORIZED => {}
                        None => this
                            .errors
                            .push(format!("doomed before deletion: {}", response.status())),
                    }
                    continue;
                }
                let (request, expected) = if n % 2 == 0 {
                    (http.request(Method::GET, &toml), StatusCode::OK)
                } else {
                    (
                        http.post(server.url("/agents/heartbeat")).json(&beat),
                        StatusCode::NO_CONTENT,
                    )
                };
                let began = Instant::now();
                let response = request.bearer_auth(&kept).send().await;
                let latency = began.elapsed();
                match response {
                    Ok(r) if r.status() == expected => {
                        let _ = r.bytes().await;
                        this.samples.push(Sample { at: sent, latency });
                    }
                    Ok(r) => this.errors.push(format!(
                        "{} {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    )),
                    Err(e) => this.errors.push(e.to_string()),
                }
            }
            this
        });
    }

    tokio::time::sleep_until((started + length / 2).into()).await;
    let response = owner
        .delete(&format!("/api/tokens/{}", doomed.token.id))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    deleted_tx.send(Some(started.elapsed())).unwrap();

    let mut connections = Vec::new();
    while let Some(done) = tasks.join_next().await {
        connections.push(done.expect("a connection task"));
    }
    let errors: Vec<&String> = connections.iter().flat_map(|c| &c.errors).collect();
    // wrangler's own 503 for a request in flight when it reloads the worker is no error of
    // the worker's, but the run must not hide it: what made wrangler reload is printed.
    let reloads = server.reloads();
    assert!(
        errors.is_empty() && reloads.is_empty(),
        "errors under load: {errors:?}\nwrangler reloaded the worker {} times, after:\n{}",
        reloads.len(),
        reloads.join("\n---\n")
    );
    for (c, connection) in connections.iter().enumerate() {
        assert_eq!(
            connection.after_delete.as_deref(),
            Some("Invalid token"),
            "connection {c}: the deleted token's next request"
        );
    }

    let samples: Vec<&Sample> = connections.iter().flat_map(|c| &c.samples).collect();
    // Every 10 s on its own line: a trend shows there, where two windows can hide it.
    for from in (0..length.as_secs()).step_by(10).map(Duration::from_secs) {
        let mut l: Vec<Duration> = samples
            .iter()
            .filter(|s| s.at >= from && s.at < from + Duration::from_secs(10))
            .map(|s| s.latency)
            .collect();
        l.sort();
        let ms = |q| percentile(&l, q).as_secs_f64() * 1000.0;
        if !l.is_empty() {
            println!(
                "  from {:>2} s: {:>5} requests, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                from.as_secs(),
                l.len(),
                ms(50),
                ms(90),
                ms(99),
                ms(100)
            );
        }
    }
    let window = Duration::from_secs(10).min(length / 3);
    let sorted = |keep: &dyn Fn(&Sample) -> bool| {
        let mut l: Vec<Duration> = samples
            .iter()
            .filter(|s| keep(s))
            .map(|s| s.latency)
            .collect();
        l.sort();
        l
    };
    let first = sorted(&|s| s.at < window);
    let last = sorted(&|s| s.at >= length - window);
    let ms = |l: &[Duration], q| percentile(l, q).as_secs_f64() * 1000.0;
    let ratio = |q| ms(&last, q) / ms(&first, q);
    println!(
        "{CONNECTIONS} connections, {} s: {} requests ({:.0}/s); first {} s ({} requests) against \
         last {} s ({}): p50 x{:.2}, p90 x{:.2}, p99 x{:.2} ({:.1} ms, {:.1} ms)",
        length.as_secs(),
        samples.len(),
        samples.len() as f64 / length.as_secs_f64(),
        window.as_secs(),
        first.len(),
        window.as_secs(),
        last.len(),
        ratio(50),
        ratio(90),
        ratio(99),
        ms(&first, 99),
        ms(&last, 99),
    );
    // The worker getting slower moves the body of the distribution; the local runtime's
    // pauses (every connection stopped at once for 50-200 ms, growing over its first minute
    // for any worker) move only the p99, which in a 10 s window at 50 a second is its five
    // slowest requests: one pause decides it. So the trend is judged on p50 and p90.
    for q in [50, 90] {
        assert!(
            ratio(q) <= 1.5,
            "latency rose under load: p{q} x{:.2}",
            ratio(q)
        );
    }
}
