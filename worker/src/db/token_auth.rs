//! What the agent path needs from the `tokens` table: the one indexed lookup that
//! authenticates a presented token, last-used bookkeeping, and the bootstrap token's rules.

use super::audit::{self, Actor, Entry, When};
use super::statement::Values;
use super::tokens::{NewToken, TokenRow, SELECT, SELECT_BY_HASH};
use shared::actor::ActorKind;
use shared::api::EventKind;
use shared::audit::{AuditAction, SubjectType};
use shared::roles::Role;
use shared::TokenId;
use shared::TokenSource;
use worker::{query, D1Database, D1PreparedStatement};

/// Last-used time is kept to the minute (SPEC 5: no D1 write on every request).
pub const LAST_USED_EVERY_MS: i64 = 60_000;

/// A "usage" history event is added at most this often per token; last-used time itself is
/// kept to the minute. (A token used by a fleet all day adds 24 events a day, not 1,440.)
pub const USAGE_EVENT_EVERY_MS: i64 = 60 * 60 * 1000;
/// "usage" events older than this are removed when the token is next used, so a busy token's
/// history stays bounded (about 2,160 usage events); every other kind of event is kept.
pub const USAGE_EVENTS_KEPT_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// Records that an agent used the token: last-used time, address and user agent, and a
/// "first_use" event or, at most once an hour, a "usage" event. The update only matches when
/// the stored time is over a minute old, so a burst of requests writes once however many run
/// at the same moment; the same batch drops the token's usage events past their keeping time.
pub async fn record_use(
    db: &D1Database,
    id: TokenId,
    now: i64,
    ip: Option<&str>,
    agent: Option<&str>,
    via_previous: bool,
) -> worker::Result<()> {
    // The three statements share one guard: at most one record per interval.
    let due = |v: &mut Values| {
        format!(
            "id = {} AND (last_used_at IS NULL OR last_used_at <= {} - {})",
            v.id(Some(id)),
            v.number(now),
            v.number(LAST_USED_EVERY_MS)
        )
    };
    let kinds = |v: &mut Values| {
        (
            v.text(Some(EventKind::FirstUse.as_str())),
            v.text(Some(EventKind::Usage.as_str())),
        )
    };
    let mut v = Values::new();
    let (token, at, address, user_agent) =
        (v.id(Some(id)), v.number(now), v.text(ip), v.text(agent));
    let (first, usage) = kinds(&mut v);
    let (guard, every) = (due(&mut v), v.number(USAGE_EVENT_EVERY_MS));
    let event = v.prepare(
        db,
        &format!(
            "INSERT INTO token_events (token_id, at, kind, address, detail) SELECT {token}, {at}, \
             CASE WHEN last_used_at IS NULL THEN {first} ELSE {usage} END, {address}, {user_agent} \
             FROM tokens WHERE {guard} AND NOT EXISTS (SELECT 1 FROM token_events e \
             WHERE e.token_id = {token} AND e.at > {at} - {every} AND e.kind IN ({usage}, {first}))"
        ),
    )?;
    let mut v = Values::new();
    let (token, at, usage) = (
        v.id(Some(id)),
        v.number(now),
        v.text(Some(EventKind::Usage.as_str())),
    );
    let (kept, guard) = (v.number(USAGE_EVENTS_KEPT_MS), due(&mut v));
    let prune = v.prepare(
        db,
        &format!(
            "DELETE FROM token_events WHERE token_id = {token} AND kind = {usage} \
             AND at < {at} - {kept} AND EXISTS (SELECT 1 FROM tokens WHERE {guard})"
        ),
    )?;
    let mut v = Values::new();
    let (at, address, user_agent) = (v.number(now), v.text(ip), v.text(agent));
    let guard = due(&mut v);
    let update = v.prepare(
        db,
        &format!(
            "UPDATE tokens SET last_used_at = {at}, last_used_ip = {address}, \
             last_used_agent = {user_agent} WHERE {guard}"
        ),
    )?;
    let mut batch = vec![event, prune, update];
    if via_previous {
        // The previous secret's own last use, to the minute: whether agents are still on it.
        batch.push(query!(
            db,
            "UPDATE tokens SET previous_last_used_at = ?2 WHERE id = ?1 \
             AND (previous_last_used_at IS NULL OR previous_last_used_at <= ?2 - ?3)",
            id,
            now,
            LAST_USED_EVERY_MS
        )?);
    }
    db.batch(batch).await?;
    Ok(())
}

/// Records that an agent presented the token after it stopped working: a "refused" event in
/// its history (who: the address; detail: the refusal and the user agent) and, on every agent
/// whose last heartbeat used it, the moment of the refusal. At most once a minute per token,
/// under one guard, in one batch.
pub async fn record_refusal(
    db: &D1Database,
    id: TokenId,
    now: i64,
    ip: Option<&str>,
    detail: &str,
) -> worker::Result<()> {
    // One guard for the three: at most one record a minute. Each statement binds its own.
    let statement = |write: &dyn Fn(&mut Values, &str) -> String| {
        let mut v = Values::new();
        let guard = format!(
            "id = {} AND (last_refused_at IS NULL OR last_refused_at <= {} - {})",
            v.id(Some(id)),
            v.number(now),
            v.number(LAST_USED_EVERY_MS)
        );
        let sql = write(&mut v, &guard);
        v.prepare(db, &sql)
    };
    let event = statement(&|v, guard| {
        format!(
            "INSERT INTO token_events (token_id, at, kind, address, detail) \
             SELECT id, {}, {}, {}, {} FROM tokens WHERE {guard}",
            v.number(now),
            v.text(Some(EventKind::Refused.as_str())),
            v.text(ip),
            v.text(Some(detail))
        )
    })?;
    let agents = statement(&|v, guard| {
        format!(
            "UPDATE agents SET refused_at = {} WHERE token_id = {} \
             AND EXISTS (SELECT 1 FROM tokens WHERE {guard})",
            v.number(now),
            v.id(Some(id))
        )
    })?;
    let update = statement(&|v, guard| {
        format!(
            "UPDATE tokens SET last_refused_at = {} WHERE {guard}",
            v.number(now)
        )
    })?;
    db.batch(vec![event, agents, update]).await?;
    Ok(())
}

/// The presented token with its owner, in one indexed lookup by the hash of either of its
/// secrets (`via_previous` says which).
pub async fn find(db: &D1Database, token_hash: &str) -> worker::Result<Option<TokenRow>> {
    lookup(db, token_hash)?.first(None).await
}

/// The statement behind [`find`], for a batch that runs it beside an agent's call.
pub(super) fn lookup(db: &D1Database, token_hash: &str) -> worker::Result<D1PreparedStatement> {
    query!(db, SELECT_BY_HASH, token_hash)
}

/// Who revokes a bootstrap token whose string is no longer `OWNER_TOKEN`'s value.
pub const BOOTSTRAP_SUPERSEDER: &str = "OWNER_TOKEN change";

/// Revokes every active bootstrap token whose hash is not `keep_hash` (or only `only_id`),
/// recording it in each one's history. Two statements, for a batch.
fn supersede(
    db: &D1Database,
    keep_hash: Option<&str>,
    only_id: Option<TokenId>,
    now: i64,
) -> worker::Result<Vec<D1PreparedStatement>> {
    // The bootstrap tokens meant, as each statement binds them.
    let which = |v: &mut Values| {
        let (keep, only) = (v.text(keep_hash), v.id(only_id));
        format!(
            "source = {} AND ({keep} IS NULL OR token_hash != {keep}) AND ({only} IS NULL OR id = {only})",
            v.text(Some(TokenSource::Bootstrap.as_str()))
        )
    };
    // The instance's act: whoever set the new value did it outside the app.
    let actor = Actor::system(ActorKind::System, BOOTSTRAP_SUPERSEDER);
    let entry = Entry::new(now, &actor, AuditAction::TokenRevoked)
        .detail("a bootstrap token: OWNER_TOKEN now holds another value");
    let mut v = Values::new();
    let (at, kind) = (v.number(now), v.text(Some(ActorKind::System.as_str())));
    let tokens = which(&mut v);
    let revoke = v.prepare(
        db,
        &format!(
            "UPDATE tokens SET revoked_at = {at}, revoked_by_kind = {kind} \
             WHERE revoked_at IS NULL AND {tokens}"
        ),
    )?;
    let mut v = Values::new();
    let (at, kind) = (v.number(now), v.text(Some(ActorKind::System.as_str())));
    let revoked = v.text(Some(EventKind::Revoked.as_str()));
    let tokens = which(&mut v);
    let event = v.prepare(
        db,
        &format!(
            "INSERT INTO token_events (token_id, at, kind, actor_kind, detail) \
             SELECT id, {at}, {revoked}, {kind}, 'OWNER_TOKEN now holds another value' FROM tokens \
             WHERE revoked_at = {at} AND revoked_by_kind = {kind} AND {tokens}"
        ),
    )?;
    Ok(vec![
        revoke,
        audit::append(db, &entry, When::Changed)?,
        event,
    ])
}

/// A bootstrap token presented while `OWNER_TOKEN` holds another value: revoked now, for good.
pub async fn supersede_bootstrap(db: &D1Database, id: TokenId, now: i64) -> worker::Result<()> {
    db.batch(supersede(db, None, Some(id), now)?).await?;
    Ok(())
}

/// The first request with `OWNER_TOKEN`'s value when no token has its hash (new, changed, or
/// deleted by hand): revokes any other active bootstrap token, inserts this one under the
/// first free name of `bootstrap-token`, `bootstrap-token-1`, … and answers its auth row, all
/// in one batch. Concurrent first requests insert it once.
pub async fn install_bootstrap(
    db: &D1Database,
    t: &NewToken<'_>,
    now: i64,
) -> worker::Result<Option<TokenRow>> {
    let mut batch = supersede(db, Some(t.token_hash), None, now)?;
    batch.push(query!(
        db,
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10000), \
         names(i, name) AS (SELECT i, CASE i WHEN 0 THEN ?2 ELSE ?2 || '-' || i END FROM n) \
         INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, ceiling_role) \
         SELECT ?1, (SELECT name FROM names WHERE NOT EXISTS (SELECT 1 FROM tokens t WHERE t.name = names.name) \
         ORDER BY i LIMIT 1), ?3, ?4, ?5, ?7, ?6, ?8 WHERE true ON CONFLICT DO NOTHING",
        t.id.to_string(),
        t.name,
        t.token_hash,
        t.last4,
        t.permissions,
        t.created_at,
        TokenSource::Bootstrap.as_str(),
        Role::Owner.as_str()
    )?);
    let id = t.id.to_string();
    let actor = Actor::system(ActorKind::System, "OWNER_TOKEN");
    // Named by the insert (the first free name), after it, only when this request inserted it.
    let entry = Entry::new(now, &actor, AuditAction::TokenCreated)
        .on(SubjectType::Token, &id, None)
        .detail("the bootstrap token, from the OWNER_TOKEN variable");
    batch.push(audit::append(db, &entry, When::Changed)?);
    batch.push(query!(
        db,
        "INSERT INTO token_events (token_id, at, kind, actor_kind, detail) \
         SELECT id, ?2, ?4, ?3, 'from the OWNER_TOKEN variable' FROM tokens WHERE id = ?1",
        t.id.to_string(),
        now,
        ActorKind::System.as_str(),
        EventKind::Created.as_str()
    )?);
    batch.push(query!(
        db,
        &format!("{SELECT} WHERE t.token_hash = ?1"),
        t.token_hash
    )?);
    let results = db.batch(batch).await?;
    match results.last() {
        Some(last) => Ok(last.results::<TokenRow>()?.into_iter().next()),
        None => Ok(None),
    }
}
