//! Listing tokens: filters, keyset pages in every sort order, and totals. Every value is
//! bound; the SQL text is built only from fixed fragments.

use super::tokens::{recent_agents_column, TokenRow, FROM, PAGE_COLUMNS};
use serde::Deserialize;
use shared::expiry::NEVER;
use shared::listing::{CursorKey, Order, SortKey, StatusFilter, TokenQuery, EXPIRING_SOON_MS};
use shared::time::Timestamp;
use shared::token::hint_suffix;
use shared::TokenStatus;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

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
        SortKey::CreatedAt => CursorKey::Number(row.created_at.millis()),
        SortKey::Name => CursorKey::Text(row.name.clone()),
        SortKey::LastUsedAt => CursorKey::Number(row.last_used_at.map_or(-1, Timestamp::millis)),
        SortKey::ExpiresAt => CursorKey::Number(row.expires_at.map_or(NEVER, Timestamp::millis)),
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
        Some(StatusFilter::ExpiringSoon) => {
            let p = bind(&mut params, (now as f64).into());
            let until = bind(&mut params, ((now + EXPIRING_SOON_MS) as f64).into());
            conditions.push(format!(
                "t.revoked_at IS NULL AND t.expires_at > {p} AND t.expires_at <= {until} \
                 AND COALESCE(u.disabled, 0) = 0"
            ));
        }
        Some(StatusFilter::Is(TokenStatus::Revoked)) => {
            conditions.push("t.revoked_at IS NOT NULL".into())
        }
        Some(StatusFilter::Is(status @ (TokenStatus::Active | TokenStatus::OwnerDisabled))) => {
            let p = bind(&mut params, (now as f64).into());
            let disabled = u8::from(status == TokenStatus::OwnerDisabled);
            conditions.push(format!(
                "t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > {p}) \
                 AND COALESCE(u.disabled, 0) = {disabled}"
            ));
        }
        Some(StatusFilter::Is(TokenStatus::Expired)) => {
            let p = bind(&mut params, (now as f64).into());
            conditions.push(format!("t.revoked_at IS NULL AND t.expires_at <= {p}"));
        }
    }
    if let Some(text) = &q.q {
        // What people type: part of the description or of the owner's name, or the last four
        // characters the hint shows (alone, or as the whole hint).
        let p = bind(&mut params, text.as_str().into());
        let last4 = bind(
            &mut params,
            hint_suffix(text).map_or(JsValue::NULL, JsValue::from),
        );
        conditions.push(format!(
            "(instr(lower(t.name), lower({p})) > 0 OR t.last4 = {last4} \
             OR instr(lower(COALESCE(u.display_name, '')), lower({p})) > 0 \
             OR instr(lower(COALESCE(u.username, '')), lower({p})) > 0)"
        ));
    }
    (conditions, params)
}

/// One page of a listing and its total.
pub struct Listing {
    /// Up to `limit + 1` rows, each with its recent agents: one more than asked tells whether
    /// another page exists.
    pub rows: Vec<TokenRow>,
    /// How many tokens match the filters, over all pages.
    pub total: u64,
}

/// One page of a listing, in the requested order after the cursor's position, each token with
/// the agents that used it since `agents_since` (looked up per row of the page, by index), and
/// the total: two statements in one `batch()`, so one round trip to D1.
pub async fn list(
    db: &D1Database,
    scope: Option<&str>,
    q: &TokenQuery,
    now: i64,
    agents_since: i64,
) -> worker::Result<Listing> {
    let (mut conditions, mut params) = filters(scope, q, now);
    // The owner join never changes how many tokens there are (a token has at most one owner),
    // so the total skips it unless a filter reads the owner: at 100,000 tokens that join was
    // most of the page's cost.
    let reads_owner = matches!(
        q.status,
        Some(
            StatusFilter::ExpiringSoon
                | StatusFilter::Is(TokenStatus::Active | TokenStatus::OwnerDisabled)
        )
    ) || q.q.is_some();
    let count_from = if reads_owner { FROM } else { "FROM tokens t" };
    let count = statement(
        db,
        "SELECT COUNT(*) AS n",
        count_from,
        &conditions,
        "",
        &params,
    )?;
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
    params.push((agents_since as f64).into());
    let columns = format!("{PAGE_COLUMNS}, {}", recent_agents_column(params.len()));
    params.push(f64::from(q.limit + 1).into());
    let order = format!(
        "ORDER BY {expression} {direction}, t.id {direction} LIMIT ?{}",
        params.len()
    );
    let page = statement(db, &columns, FROM, &conditions, &order, &params)?;
    let mut results = db.batch(vec![page, count]).await?.into_iter();
    let mut next = || {
        results
            .next()
            .ok_or_else(|| worker::Error::RustError("a batch answer is missing".into()))
    };
    let rows = next()?.results::<TokenRow>()?;
    let total = next()?.results::<Count>()?.first().map_or(0, |c| c.n);
    Ok(Listing { rows, total })
}

#[derive(Deserialize)]
struct Count {
    n: u64,
}

/// `SELECT <columns> <from> WHERE … <tail>` with its parameters bound.
fn statement(
    db: &D1Database,
    columns: &str,
    from: &str,
    conditions: &[String],
    tail: &str,
    params: &[JsValue],
) -> worker::Result<D1PreparedStatement> {
    let sql = format!("{columns} {from} {} {tail}", where_clause(conditions));
    db.prepare(sql).bind(params)
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}
