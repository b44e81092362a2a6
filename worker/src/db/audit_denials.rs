//! Denied attempts in the audit log (`outcome: denied`), at most one entry a minute per actor
//! and route: the first refusal of each minute is written, the others are counted in
//! `audit_denials`, and the next entry says how many there were, so a loop of
//! 403s cannot flood the log.

use super::audit::{self, Actor, Entry, When};
use super::statement::Values;
use serde::Deserialize;
use shared::audit::{AuditAction, Outcome};
use worker::D1Database;

/// How long one denied entry stands for the refusals after it.
pub const DENIAL_WINDOW_MS: i64 = 60_000;

/// What a refusal was: the route (`POST /api/users`), what it would have done, and why not.
pub struct Denial<'a> {
    pub route: &'a str,
    pub action: AuditAction,
    pub reason: &'a str,
}

/// The entry's detail: the route and the refusal, and how many more refusals the previous
/// entry for this actor and route stood for.
pub fn detail(denial: &Denial<'_>, suppressed: i64) -> String {
    let more = match suppressed {
        0 => String::new(),
        1 => " (and 1 more in the minute after the previous such entry)".to_owned(),
        n => format!(" (and {n} more in the minute after the previous such entry)"),
    };
    format!("{}: {}{more}", denial.route, denial.reason)
}

/// Records a refusal: an entry when this actor's last one for the route is a minute old or
/// more, else one more in the count. Two round trips, off the caller's path.
pub async fn record(
    db: &D1Database,
    actor: &Actor,
    denial: &Denial<'_>,
    now: i64,
) -> worker::Result<()> {
    #[derive(Deserialize)]
    struct Window {
        window_start: i64,
        suppressed: i64,
    }
    let key = format!(
        "{}:{}:{}",
        actor.by.kind.as_str(),
        actor.by.user_text().unwrap_or_default(),
        actor.by.token_text().unwrap_or_default()
    );
    let open: Option<Window> = db
        .prepare("SELECT window_start, suppressed FROM audit_denials WHERE actor_key = ?1 AND route = ?2")
        .bind(&[key.as_str().into(), denial.route.into()])?
        .first(None)
        .await?;
    let since = now - DENIAL_WINDOW_MS;
    let mut v = Values::new();
    let (k, r, at, since_p) = (
        v.text(Some(&key)),
        v.text(Some(denial.route)),
        v.number(now),
        v.number(since),
    );
    // Counted in the open window, or a new window opened; which one, decided in SQL, so two
    // refusals at once agree.
    let count = v.prepare(
        db,
        &format!(
            "INSERT INTO audit_denials (actor_key, route, window_start, suppressed) VALUES ({k}, {r}, {at}, 0) \
             ON CONFLICT (actor_key, route) DO UPDATE SET \
             suppressed = CASE WHEN window_start > {since_p} THEN suppressed + 1 ELSE 0 END, \
             window_start = CASE WHEN window_start > {since_p} THEN window_start ELSE {at} END"
        ),
    )?;
    match open {
        Some(w) if w.window_start > since => {
            count.run().await?;
        }
        previous => {
            let suppressed = previous.map_or(0, |w| w.suppressed);
            let text = detail(denial, suppressed);
            let entry = Entry::new(now, actor, denial.action)
                .outcome(Outcome::Denied)
                .detail(&text);
            // Written only while no window is open: a refusal racing this one counts instead.
            let (key, route) = (key.clone(), denial.route.to_owned());
            let guard = When::holds(move |v: &mut Values| {
                format!(
                    "NOT EXISTS (SELECT 1 FROM audit_denials WHERE actor_key = {} AND route = {} AND window_start > {})",
                    v.text(Some(&key)),
                    v.text(Some(&route)),
                    v.number(since)
                )
            });
            db.batch(vec![audit::append(db, &entry, guard)?, count])
                .await?;
        }
    }
    Ok(())
}
