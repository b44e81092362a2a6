//! The `tokens` table: typed rows in and out. Every read that serves a person is scoped by
//! an optional owner, so a Manager's queries can only ever see their own tokens.

use super::{changes, unique_violation};
use serde::Deserialize;
use shared::listing::{CursorKey, Order, SortKey, TokenQuery};
use shared::roles::Role;
use shared::{TokenId, TokenStatus};
use wasm_bindgen::JsValue;
use worker::{query, D1Database, D1PreparedStatement};

/// The instant standing in for "never expires" in sort keys: the largest a JavaScript Date
/// holds, exactly representable in a bound parameter (see migration 0003).
pub const NEVER: i64 = 8_640_000_000_000_000;

/// The token with its owner's display name.
const SELECT: &str = "SELECT t.id AS id, t.name AS name, t.last4 AS last4, t.permissions AS permissions, \
     t.source AS source, t.created_at AS created_at, t.expires_at AS expires_at, t.revoked_at AS revoked_at, \
     t.last_used_at AS last_used_at, t.last_used_ip AS last_used_ip, t.last_used_agent AS last_used_agent, \
     t.owner_id AS owner_id, u.display_name AS owner_name, t.created_by AS created_by, t.revoked_by AS revoked_by \
     FROM tokens t LEFT JOIN users u ON u.id = t.owner_id";

#[derive(Debug, Deserialize)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub last4: String,
    pub permissions: String,
    pub source: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    pub last_used_agent: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub created_by: Option<String>,
    pub revoked_by: Option<String>,
}

pub struct NewToken<'a> {
    pub id: TokenId,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub last4: &'a str,
    pub permissions: &'a str,
    pub source: &'a str,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub owner_id: Option<&'a str>,
    /// The most the token may ever act as: its creator's role.
    pub ceiling_role: Role,
    pub created_by: Option<&'a str>,
    /// What the "created" history event adds (the token that created this one).
    pub created_detail: Option<&'a str>,
}

#[derive(Debug)]
pub enum InsertError {
    NameTaken,
    ValueTaken,
    Db(worker::Error),
}

/// Inserts the token and its "created" history event in one transaction.
pub async fn insert(db: &D1Database, t: &NewToken<'_>) -> Result<(), InsertError> {
    let insert = query!(
        db,
        "INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, expires_at, \
         owner_id, created_by, ceiling_role) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        t.id.to_string(),
        t.name,
        t.token_hash,
        t.last4,
        t.permissions,
        t.source,
        t.created_at,
        t.expires_at,
        t.owner_id,
        t.created_by,
        t.ceiling_role.as_str(),
    )
    .map_err(InsertError::Db)?;
    let id = t.id.to_string();
    let event = event(db, &id, t.created_at, "created", t.created_by, t.created_detail)
        .map_err(InsertError::Db)?;
    match db.batch(vec![insert, event]).await {
        Ok(_) => Ok(()),
        Err(e) if unique_violation(&e, "tokens.name") => Err(InsertError::NameTaken),
        Err(e) if unique_violation(&e, "tokens.token_hash") => Err(InsertError::ValueTaken),
        Err(e) => Err(InsertError::Db(e)),
    }
}

/// One token, if it exists and (with `owner`) belongs to that user.
pub async fn get(
    db: &D1Database,
    id: TokenId,
    owner: Option<&str>,
) -> worker::Result<Option<TokenRow>> {
    query!(
        db,
        &format!("{SELECT} WHERE t.id = ?1 AND (?2 IS NULL OR t.owner_id = ?2)"),
        id.to_string(),
        owner
    )?
    .first(None)
    .await
}

/// The SQL expression a sort key orders by; the indexes of migration 0003 use the same ones.
fn sort_expression(key: SortKey) -> &'static str {
    match key {
        SortKey::CreatedAt => "t.created_at",
        SortKey::Name => "t.name",
        SortKey::LastUsedAt => "COALESCE(t.last_used_at, -1)",
        SortKey::ExpiresAt => "COALESCE(t.expires_at, 8640000000000000)",
    }
}

/// The value of a row's sort key, for the next page's cursor.
pub fn sort_value(row: &TokenRow, key: SortKey) -> CursorKey {
    match key {
        SortKey::CreatedAt => CursorKey::Number(row.created_at),
        SortKey::Name => CursorKey::Text(row.name.clone()),
        SortKey::LastUsedAt => CursorKey::Number(row.last_used_at.unwrap_or(-1)),
        SortKey::ExpiresAt => CursorKey::Number(row.expires_at.unwrap_or(NEVER)),
    }
}

/// `WHERE` conditions and their parameters for a listing; every value is bound, the SQL text
/// is built only from fixed fragments.
fn filters(scope: Option<&str>, q: &TokenQuery, now: i64) -> (Vec<String>, Vec<JsValue>) {
    let mut conditions = Vec::new();
    let mut params: Vec<JsValue> = Vec::new();
    let bind = |params: &mut Vec<JsValue>, v: JsValue| {
        params.push(v);
        format!("?{}", params.len())
    };
    if let Some(owner) = scope {
        let p = bind(&mut params, owner.into());
        conditions.push(format!("t.owner_id = {p}"));
    }
    if let Some(owner) = q.owner {
        let p = bind(&mut params, owner.to_string().into());
        conditions.push(format!("t.owner_id = {p}"));
    }
    match q.status {
        None => {}
        Some(TokenStatus::Revoked) => conditions.push("t.revoked_at IS NOT NULL".into()),
        Some(TokenStatus::Active) => {
            let p = bind(&mut params, (now as f64).into());
            conditions.push(format!(
                "t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > {p})"
            ));
        }
        Some(TokenStatus::Expired) => {
            let p = bind(&mut params, (now as f64).into());
            conditions.push(format!("t.revoked_at IS NULL AND t.expires_at <= {p}"));
        }
    }
    if let Some(text) = &q.q {
        let p = bind(&mut params, text.as_str().into());
        conditions.push(format!("instr(lower(t.name), lower({p})) > 0"));
    }
    (conditions, params)
}

/// One page of a listing, in the requested order, after the cursor's position.
pub async fn list_page(
    db: &D1Database,
    scope: Option<&str>,
    q: &TokenQuery,
    now: i64,
) -> worker::Result<Vec<TokenRow>> {
    let (mut conditions, mut params) = filters(scope, q, now);
    let expression = sort_expression(q.sort);
    let (direction, comparison) = match q.order {
        Order::Asc => ("ASC", ">"),
        Order::Desc => ("DESC", "<"),
    };
    if let Some(cursor) = &q.cursor {
        params.push(match &cursor.key {
            CursorKey::Number(n) => (*n as f64).into(),
            CursorKey::Text(t) => t.as_str().into(),
        });
        params.push(cursor.id.to_string().into());
        let (a, b) = (params.len() - 1, params.len());
        conditions.push(format!("({expression}, t.id) {comparison} (?{a}, ?{b})"));
    }
    // One row more than asked tells whether another page exists without a second query.
    params.push(f64::from(q.limit + 1).into());
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "{SELECT} {where_clause} ORDER BY {expression} {direction}, t.id {direction} LIMIT ?{}",
        params.len()
    );
    db.prepare(sql).bind(&params)?.all().await?.results()
}

/// How many tokens match the listing's filters, over all pages.
pub async fn count(
    db: &D1Database,
    scope: Option<&str>,
    q: &TokenQuery,
    now: i64,
) -> worker::Result<u64> {
    #[derive(Deserialize)]
    struct Count {
        n: u64,
    }
    let (conditions, params) = filters(scope, q, now);
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let row: Option<Count> = db
        .prepare(format!("SELECT COUNT(*) AS n FROM tokens t {where_clause}"))
        .bind(&params)?
        .first(None)
        .await?;
    Ok(row.map_or(0, |c| c.n))
}

/// Deletes one token (with `owner`, only that user's); `false` when there was none.
pub async fn delete(db: &D1Database, id: TokenId, owner: Option<&str>) -> worker::Result<bool> {
    let result = query!(
        db,
        "DELETE FROM tokens WHERE id = ?1 AND (?2 IS NULL OR owner_id = ?2)",
        id.to_string(),
        owner
    )?
    .run()
    .await?;
    Ok(changes(&result)? > 0)
}

/// Revokes one active token (with `owner`, only that user's) and records it in the token's
/// history, in one transaction; `false` when nothing changed.
pub async fn revoke(
    db: &D1Database,
    id: TokenId,
    owner: Option<&str>,
    now: i64,
    by: &str,
) -> worker::Result<bool> {
    let id = id.to_string();
    let update = query!(
        db,
        "UPDATE tokens SET revoked_at = ?3, revoked_by = ?4 \
         WHERE id = ?1 AND (?2 IS NULL OR owner_id = ?2) AND revoked_at IS NULL",
        &id,
        owner,
        now,
        by
    )?;
    let event = query!(
        db,
        "INSERT INTO token_events (token_id, at, kind, actor) SELECT ?1, ?2, 'revoked', ?3 \
         WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ?1 AND revoked_at = ?2 AND revoked_by = ?3)",
        &id,
        now,
        by
    )?;
    let results = db.batch(vec![update, event]).await?;
    Ok(match results.first() {
        Some(first) => changes(first)? > 0,
        None => false,
    })
}

/// Moves one token to another owner and records who did it, in one transaction.
pub async fn reassign(
    db: &D1Database,
    id: TokenId,
    to_user: &str,
    now: i64,
    by: &str,
    detail: &str,
) -> worker::Result<bool> {
    let id = id.to_string();
    let update = query!(
        db,
        "UPDATE tokens SET owner_id = ?2 WHERE id = ?1",
        &id,
        to_user
    )?;
    let event = query!(
        db,
        "INSERT INTO token_events (token_id, at, kind, actor, detail) SELECT ?1, ?2, 'reassigned', ?3, ?4 \
         WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ?1)",
        &id,
        now,
        by,
        detail
    )?;
    let results = db.batch(vec![update, event]).await?;
    Ok(match results.first() {
        Some(first) => changes(first)? > 0,
        None => false,
    })
}

/// A history event insert, for batching with the change it records.
fn event(
    db: &D1Database,
    token_id: &str,
    at: i64,
    kind: &str,
    actor: Option<&str>,
    detail: Option<&str>,
) -> worker::Result<D1PreparedStatement> {
    query!(
        db,
        "INSERT INTO token_events (token_id, at, kind, actor, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        token_id,
        at,
        kind,
        actor,
        detail
    )
}

#[derive(Debug, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub actor: Option<String>,
    pub detail: Option<String>,
}

/// A token's history, newest first.
pub async fn events(db: &D1Database, id: TokenId) -> worker::Result<Vec<EventRow>> {
    query!(
        db,
        "SELECT id, at, kind, actor, detail FROM token_events WHERE token_id = ?1 ORDER BY at DESC, id DESC LIMIT 500",
        id.to_string()
    )?
    .all()
    .await?
    .results()
}

/// The state of requested ids, for explaining why a bulk operation was refused.
#[derive(Debug, Deserialize)]
pub struct BulkRow {
    pub id: String,
    pub revoked_at: Option<i64>,
}

/// Which of `ids` (a JSON array) exist within the scope, in one statement whatever their number.
pub async fn existing(
    db: &D1Database,
    ids_json: &str,
    owner: Option<&str>,
) -> worker::Result<Vec<BulkRow>> {
    query!(
        db,
        "SELECT id, revoked_at FROM tokens WHERE id IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR owner_id = ?2)",
        ids_json,
        owner
    )?
    .all()
    .await?
    .results()
}

/// What a bulk operation does to every listed token.
pub enum BulkChange<'a> {
    Delete,
    Revoke {
        by: &'a str,
    },
    Reassign {
        to_user: &'a str,
        by: &'a str,
        detail: &'a str,
    },
}

/// Applies the change to all of `ids` or to none: the batch opens with a guard row whose
/// CHECK fails unless every id still matches, and D1 rolls a failing batch back whole.
/// `Ok(false)` means the guard fired (the tokens changed since they were checked).
pub async fn bulk(
    db: &D1Database,
    ids_json: &str,
    count: usize,
    owner: Option<&str>,
    now: i64,
    change: BulkChange<'_>,
) -> worker::Result<bool> {
    let only_active = if matches!(change, BulkChange::Revoke { .. }) {
        "AND revoked_at IS NULL"
    } else {
        ""
    };
    let guard = query!(
        db,
        &format!(
            "INSERT INTO bulk_guard (ok) SELECT (SELECT COUNT(*) FROM tokens WHERE id IN (SELECT value FROM json_each(?1)) \
             AND (?2 IS NULL OR owner_id = ?2) {only_active}) = ?3"
        ),
        ids_json,
        owner,
        count as u32
    )?;
    let in_ids = "id IN (SELECT value FROM json_each(?1))";
    let mut batch = vec![guard];
    match change {
        BulkChange::Delete => batch.push(query!(
            db,
            &format!("DELETE FROM tokens WHERE {in_ids}"),
            ids_json
        )?),
        BulkChange::Revoke { by } => {
            batch.push(query!(
                db,
                &format!("UPDATE tokens SET revoked_at = ?2, revoked_by = ?3 WHERE {in_ids} AND revoked_at IS NULL"),
                ids_json,
                now,
                by
            )?);
            batch.push(query!(
                db,
                "INSERT INTO token_events (token_id, at, kind, actor) SELECT value, ?2, 'revoked', ?3 FROM json_each(?1)",
                ids_json,
                now,
                by
            )?);
        }
        BulkChange::Reassign {
            to_user,
            by,
            detail,
        } => {
            batch.push(query!(
                db,
                &format!("UPDATE tokens SET owner_id = ?2 WHERE {in_ids}"),
                ids_json,
                to_user
            )?);
            batch.push(query!(
                db,
                "INSERT INTO token_events (token_id, at, kind, actor, detail) SELECT value, ?2, 'reassigned', ?3, ?4 FROM json_each(?1)",
                ids_json,
                now,
                by,
                detail
            )?);
        }
    }
    batch.push(query!(db, "DELETE FROM bulk_guard"));
    match db.batch(batch).await {
        Ok(_) => Ok(true),
        Err(e) if e.to_string().contains("CHECK constraint failed") => Ok(false),
        Err(e) => Err(e),
    }
}

/// Last-used time is kept to the minute (SPEC 5: no D1 write on every request).
pub const LAST_USED_EVERY_MS: i64 = 60_000;

/// Records that an agent used the token: last-used time, address and user agent, and a
/// "first_use" or "usage" event. The update only matches when the stored time is over a
/// minute old, so a burst of requests writes once however many run at the same moment.
pub async fn record_use(
    db: &D1Database,
    id: &str,
    now: i64,
    ip: Option<&str>,
    agent: Option<&str>,
) -> worker::Result<()> {
    let event = query!(
        db,
        "INSERT INTO token_events (token_id, at, kind, actor, detail) \
         SELECT ?1, ?2, CASE WHEN last_used_at IS NULL THEN 'first_use' ELSE 'usage' END, ?3, ?4 FROM tokens \
         WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?2 - ?5)",
        id,
        now,
        ip,
        agent,
        LAST_USED_EVERY_MS
    )?;
    let update = query!(
        db,
        "UPDATE tokens SET last_used_at = ?2, last_used_ip = ?3, last_used_agent = ?4 \
         WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?2 - ?5)",
        id,
        now,
        ip,
        agent,
        LAST_USED_EVERY_MS
    )?;
    db.batch(vec![event, update]).await?;
    Ok(())
}

/// What authenticating a presented token needs, with its owner, in one indexed lookup.
#[derive(Debug, Deserialize)]
pub struct AuthRow {
    pub id: String,
    pub name: String,
    pub permissions: String,
    pub source: String,
    pub ceiling_role: String,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub owner_id: Option<String>,
    pub owner_username: Option<String>,
    pub owner_role: Option<String>,
    pub owner_disabled: Option<i64>,
    pub last_used_at: Option<i64>,
}

const AUTH_SELECT: &str = "SELECT t.id AS id, t.name AS name, t.permissions AS permissions, \
     t.source AS source, t.ceiling_role AS ceiling_role, t.expires_at AS expires_at, \
     t.revoked_at AS revoked_at, t.owner_id AS owner_id, u.username AS owner_username, \
     u.role AS owner_role, u.disabled AS owner_disabled, t.last_used_at AS last_used_at \
     FROM tokens t LEFT JOIN users u ON u.id = t.owner_id WHERE t.token_hash = ?1";

pub async fn find_for_auth(db: &D1Database, token_hash: &str) -> worker::Result<Option<AuthRow>> {
    query!(db, AUTH_SELECT, token_hash)?.first(None).await
}

/// Who revokes a bootstrap token whose string is no longer `OWNER_TOKEN`'s value.
pub const BOOTSTRAP_SUPERSEDER: &str = "OWNER_TOKEN change";

/// Revokes every active bootstrap token whose hash is not `keep_hash` (or only `only_id`),
/// recording it in each one's history. Two statements, for a batch.
fn supersede(
    db: &D1Database,
    keep_hash: Option<&str>,
    only_id: Option<&str>,
    now: i64,
) -> worker::Result<Vec<D1PreparedStatement>> {
    let which = "source = 'bootstrap' AND (?3 IS NULL OR token_hash != ?3) AND (?4 IS NULL OR id = ?4)";
    Ok(vec![
        query!(
            db,
            &format!(
                "UPDATE tokens SET revoked_at = ?1, revoked_by = ?2 WHERE revoked_at IS NULL AND {which}"
            ),
            now,
            BOOTSTRAP_SUPERSEDER,
            keep_hash,
            only_id
        )?,
        query!(
            db,
            &format!(
                "INSERT INTO token_events (token_id, at, kind, actor, detail) \
                 SELECT id, ?1, 'revoked', ?2, 'OWNER_TOKEN now holds another value' FROM tokens \
                 WHERE revoked_at = ?1 AND revoked_by = ?2 AND {which}"
            ),
            now,
            BOOTSTRAP_SUPERSEDER,
            keep_hash,
            only_id
        )?,
    ])
}

/// A bootstrap token presented while `OWNER_TOKEN` holds another value: revoked now, for good.
pub async fn supersede_bootstrap(db: &D1Database, id: &str, now: i64) -> worker::Result<()> {
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
) -> worker::Result<Option<AuthRow>> {
    let mut batch = supersede(db, Some(t.token_hash), None, now)?;
    batch.push(query!(
        db,
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10000), \
         names(i, name) AS (SELECT i, CASE i WHEN 0 THEN ?2 ELSE ?2 || '-' || i END FROM n) \
         INSERT INTO tokens (id, name, token_hash, last4, permissions, source, created_at, ceiling_role) \
         SELECT ?1, (SELECT name FROM names WHERE NOT EXISTS (SELECT 1 FROM tokens t WHERE t.name = names.name) \
         ORDER BY i LIMIT 1), ?3, ?4, ?5, 'bootstrap', ?6, 'owner' WHERE true ON CONFLICT DO NOTHING",
        t.id.to_string(),
        t.name,
        t.token_hash,
        t.last4,
        t.permissions,
        t.created_at
    )?);
    batch.push(query!(
        db,
        "INSERT INTO token_events (token_id, at, kind, actor, detail) \
         SELECT id, ?2, 'created', 'OWNER_TOKEN', 'from the OWNER_TOKEN variable' FROM tokens \
         WHERE id = ?1",
        t.id.to_string(),
        now
    )?);
    batch.push(query!(db, AUTH_SELECT, t.token_hash)?);
    let results = db.batch(batch).await?;
    match results.last() {
        Some(last) => Ok(last.results::<AuthRow>()?.into_iter().next()),
        None => Ok(None),
    }
}
