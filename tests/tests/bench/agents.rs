//! Agent requests and sign-in, against the token lookup and health.

use super::*;

#[tokio::test]
async fn agent_requests_and_sign_in_against_the_token_lookup_and_health() {
    let (server, owner) = TestServer::with_owner().await;
    let token = owner
        .create_token(json!({"name": "bench agent", "permissions": "configs:read,heartbeat:write,tokens:read"}))
        .await
        .secret;
    let config = owner.create_config("bench", CONFIG).await;
    let toml = format!("/api/configs/{}/toml", config.id);
    let load = Load::default();
    let beat = json!({"id": "bench-01", "version": "Telegraf 1.39.0", "status": "OK"}).to_string();

    let (health, health_cpu) = run_measured(&server, &Target::get("/api/health", 200), load);
    let (lookup, lookup_cpu) = run_measured(
        &server,
        &Target::get("/api/tokens/capabilities", 200).bearer(&token),
        load,
    );
    let (download, download_cpu) =
        run_measured(&server, &Target::get(&toml, 200).bearer(&token), load);
    // The same download by a token scoped to this configuration and 9 others (issue 22): its
    // lookup brings the scope's ids in the same round trip.
    let mut scope = vec![config.id];
    for n in 0..9 {
        scope.push(owner.create_config(&format!("bench {n}"), CONFIG).await.id);
    }
    let scoped = owner
        .create_token(
            json!({"name": "bench scoped agent", "preset": "telegraf-agent", "configScope": scope}),
        )
        .await
        .secret;
    let (scoped_download, scoped_cpu) =
        run_measured(&server, &Target::get(&toml, 200).bearer(&scoped), load);
    let (unchanged, unchanged_cpu) = run_measured(
        &server,
        &Target::get(&toml, 304)
            .bearer(&token)
            .header("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"),
        load,
    );
    let (heartbeat, heartbeat_cpu) = run_measured(
        &server,
        &Target::post("/agents/heartbeat", beat.clone(), 204).bearer(&token),
        load,
    );
    let (lookup_again, lookup_again_cpu) = run_measured(
        &server,
        &Target::get("/api/tokens/capabilities", 200).bearer(&token),
        load,
    );
    let (sign_in, sign_in_cpu) = run_measured(
        &server,
        &Target::post(
            "/api/auth/login",
            json!({"username": "owner", "password": PASSWORD}).to_string(),
            200,
        ),
        load,
    );

    // The lookup was measured first and last; the figures between compare with both together.
    let lookup_first = lookup;
    let lookup = Figures::together(&lookup_first, &lookup_again);
    println!(
        "agent path, {} connections, {} s each:",
        load.connections,
        load.duration.as_secs()
    );
    println!(
        "  GET /api/health (no D1)                      {:>8.1} req/s",
        health.per_second()
    );
    let lookup_label = "token lookup only";
    let mut out = json!({
        "health": health,
        "tokenLookup": lookup,
        "tokenLookupFirst": lookup_first,
        "tokenLookupLast": lookup_again,
    });
    println!(
        "  {:<44} {:>8.1} req/s  (first {:.1}, last {:.1}) x{:.2} of health",
        "GET /api/tokens/capabilities (token lookup)",
        lookup.per_second(),
        lookup_first.per_second(),
        lookup_again.per_second(),
        lookup.per_second() / health.per_second()
    );
    for (key, label, figures) in [
        ("download", "GET /api/configs/{id}/toml", &download),
        (
            "scopedDownload",
            "the same, token scoped to 10 configurations",
            &scoped_download,
        ),
        (
            "download304",
            "GET …/toml, If-Modified-Since (304)",
            &unchanged,
        ),
        (
            "heartbeat",
            "POST /agents/heartbeat (unchanged beat)",
            &heartbeat,
        ),
    ] {
        out[key] = line(label, figures, &lookup, lookup_label);
        out[key]["vsHealth"] = json!(figures.per_second() / health.per_second());
    }
    out["signIn"] = line("POST /api/auth/login (PBKDF2)", &sign_in, &health, "health");
    println!(
        "  agent download vs token lookup: x{:.2} (aim: 0.9 or more); vs health: x{:.2}",
        download.per_second() / lookup.per_second(),
        download.per_second() / health.per_second()
    );
    println!(
        "  scoped download vs token lookup: x{:.2}; vs the unscoped download: x{:.2}",
        scoped_download.per_second() / lookup.per_second(),
        scoped_download.per_second() / download.per_second()
    );
    out["cpuMsPerRequest"] = json!({
        "health": health_cpu,
        "tokenLookup": (lookup_cpu + lookup_again_cpu) / 2.0,
        "download": download_cpu,
        "scopedDownload": scoped_cpu,
        "download304": unchanged_cpu,
        "heartbeat": heartbeat_cpu,
        "signIn": sign_in_cpu,
    });
    println!("workerd CPU per request (the runtime and its local D1; an upper bound of the Worker's own):");
    for (key, cpu) in out["cpuMsPerRequest"].as_object().unwrap() {
        println!("  {key:<44} {:>6.2} ms", cpu.as_f64().unwrap());
    }
    let d1 = d1_per_request(&server, &token, &toml, &beat).await;
    // A heartbeat a minute after the last write writes; within the minute it does not.
    let rows = |key: &str, what: &str| d1[key][what].as_f64().unwrap();
    let poll = super::capacity::Measured {
        cpu_ms: unchanged_cpu,
        rows_read: rows("poll", "rowsRead"),
        rows_written: rows("poll", "rowsWritten"),
    };
    let beat_cost = super::capacity::Measured {
        cpu_ms: heartbeat_cpu,
        rows_read: rows("heartbeatDue", "rowsRead"),
        rows_written: rows("heartbeatDue", "rowsWritten"),
    };
    out["capacity"] = super::capacity::table(&poll, &beat_cost);
    out["d1PerRequest"] = d1;
    record("agent", out);
}

/// What one agent request of each kind costs D1, from the `Server-Timing` of its answer: rows
/// read and written (what D1 bills) and the SQL's time.
async fn d1_per_request(server: &TestServer, token: &str, toml: &str, beat: &str) -> Value {
    let send = |method: reqwest::Method, path: &str, body: Option<String>, since: Option<&str>| {
        let mut request = server
            .http()
            .request(method, server.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        if let Some(since) = since {
            request = request.header("If-Modified-Since", since);
        }
        server.send(request)
    };
    let new_beat = json!({"id": "bench-new", "version": "Telegraf 1.39.0", "status": "OK"});
    let mut out = json!({});
    println!("D1 per agent request (its Server-Timing; SQL time is reported only on Cloudflare):");
    let mut show = |key: &str, label: &str, response: reqwest::Response| {
        let status = response.status();
        assert!(status.is_success() || status == 304, "{label}: {status}");
        let (read, written) = (
            tests::answers::rows_read(&response),
            tests::answers::rows_written(&response),
        );
        println!("  {label:<60} rows read {read:>3}, written {written:>3}");
        out[key] = json!({"rowsRead": read, "rowsWritten": written});
    };
    use reqwest::Method;
    let beating = |body: String| send(Method::POST, "/agents/heartbeat", Some(body), None);
    let unchanged_since = Some("Fri, 01 Jan 2100 00:00:00 GMT");
    show(
        "download",
        "GET …/toml",
        send(Method::GET, toml, None, None).await,
    );
    show(
        "poll",
        "HEAD …/toml, If-Modified-Since (Telegraf's watch, unchanged)",
        send(Method::HEAD, toml, None, unchanged_since).await,
    );
    show(
        "heartbeat",
        "POST /agents/heartbeat, unchanged, within the minute",
        beating(beat.to_owned()).await,
    );
    show(
        "newAgent",
        "POST /agents/heartbeat, an agent's first",
        beating(new_beat.to_string()).await,
    );
    server.sql("UPDATE agents SET last_seen = last_seen - 61000 WHERE id = 'bench-new'");
    show(
        "heartbeatDue",
        "POST /agents/heartbeat, unchanged, a minute after the last",
        beating(new_beat.to_string()).await,
    );
    out
}
