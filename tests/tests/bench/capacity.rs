//! What a fleet costs on Cloudflare, from this run's figures: each agent polls its
//! configuration (unchanged, 304) and sends a heartbeat every 30 s (the README's fleet); the
//! CPU per request is workerd's as measured (an upper bound), the rows read and written D1's
//! own per request; an unchanged beat is written at most once a minute.
//! Prices and allowances are Cloudflare's published ones for the Workers Paid plan (2026):
//! README, Deploying, "What a fleet costs".

use super::*;

/// One kind of agent request as measured: workerd CPU ms, D1 rows read and written.
pub struct Measured {
    pub cpu_ms: f64,
    pub rows_read: f64,
    pub rows_written: f64,
}

const MINUTES_A_MONTH: f64 = 60.0 * 24.0 * 30.0;

/// How often an agent polls and beats, in seconds.
const EVERY_S: f64 = 30.0;

/// Workers Paid: $5 a month with 10 million requests and 30 million CPU ms, then $0.30 a
/// million requests and $0.02 a million CPU ms. D1: 25 billion rows read and 50 million
/// written included, then $0.001 and $1.00 a million.
fn monthly_price(requests: f64, cpu_ms: f64, read: f64, written: f64) -> f64 {
    let over =
        |used: f64, included: f64, per_million: f64| (used - included).max(0.0) / 1e6 * per_million;
    5.0 + over(requests, 10e6, 0.30)
        + over(cpu_ms, 30e6, 0.02)
        + over(read, 25e9, 0.001)
        + over(written, 50e6, 1.00)
}

/// The first limit a fleet sending `per_second` requests meets. The Free plan allows 100,000
/// requests a day (about 1 a second); one D1 database runs its queries one at a time, about
/// 1,000 a second when each takes 1 ms (Cloudflare's figure).
fn first_limit(per_second: f64) -> String {
    let of_d1 = per_second / 1_000.0;
    if per_second < 100.0 {
        "the Free plan's 100,000 requests a day (17 agents); on Paid, none".to_owned()
    } else if per_second < 1_000.0 {
        format!("none on Paid; D1 runs one query at a time: x{of_d1:.2} of the ~1,000 a second it serves at 1 ms each")
    } else {
        format!("one D1 database's throughput: x{of_d1:.1} of the ~1,000 queries a second it serves at 1 ms each; split the fleet across databases or lengthen the intervals")
    }
}

/// Prints and returns the table for 1,000, 10,000 and 100,000 agents.
pub fn table(poll: &Measured, beat: &Measured) -> Value {
    println!("a fleet at one poll and one heartbeat every {EVERY_S} s per agent, a month:");
    let mut rows = Vec::new();
    for agents in [1_000.0, 10_000.0, 100_000.0] {
        let each = agents * MINUTES_A_MONTH * 60.0 / EVERY_S;
        let requests = 2.0 * each;
        let cpu_ms = each * (poll.cpu_ms + beat.cpu_ms);
        let read = each * (poll.rows_read + beat.rows_read);
        // An unchanged beat is written at most once a minute (`BEAT_WRITE_EVERY_MS`).
        let writes = each.min(agents * MINUTES_A_MONTH);
        let written = writes * (poll.rows_written + beat.rows_written);
        let per_second = agents * 2.0 / EVERY_S;
        let price = monthly_price(requests, cpu_ms, read, written);
        let limit = first_limit(per_second);
        println!(
            "  {agents:>7} agents: {:>6.0} M requests ({per_second:.0}/s), {:>7.0} M CPU ms, {:>7.0} M rows read, {:>6.0} M rows written: ${price:.0} a month; first limit: {limit}",
            requests / 1e6,
            cpu_ms / 1e6,
            read / 1e6,
            written / 1e6
        );
        rows.push(json!({
            "agents": agents, "requestsMillions": requests / 1e6, "requestsPerSecond": per_second,
            "cpuMsMillions": cpu_ms / 1e6, "rowsReadMillions": read / 1e6,
            "rowsWrittenMillions": written / 1e6, "dollarsAMonth": price, "firstLimit": limit,
        }));
    }
    Value::Array(rows)
}
