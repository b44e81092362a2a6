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
    let base = server.base();
    let load = Load::default();
    let beat = json!({"id": "bench-01", "version": "Telegraf 1.39.0", "status": "OK"}).to_string();

    let health = load::run(base, &Target::get("/api/health", 200), load);
    let lookup = load::run(
        base,
        &Target::get("/api/tokens/capabilities", 200).bearer(&token),
        load,
    );
    let download = load::run(base, &Target::get(&toml, 200).bearer(&token), load);
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
    let scoped_download = load::run(base, &Target::get(&toml, 200).bearer(&scoped), load);
    let unchanged = load::run(
        base,
        &Target::get(&toml, 304)
            .bearer(&token)
            .header("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"),
        load,
    );
    let heartbeat = load::run(
        base,
        &Target::post("/agents/heartbeat", beat, 204).bearer(&token),
        load,
    );
    let lookup_again = load::run(
        base,
        &Target::get("/api/tokens/capabilities", 200).bearer(&token),
        load,
    );
    let sign_in = load::run(
        base,
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
    record("agent", out);
}
