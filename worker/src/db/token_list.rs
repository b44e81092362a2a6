//! Listing tokens: filters, keyset pages in every sort order, and totals. Every value is
//! bound; the SQL text is built only from fixed fragments.

use super::rows_read;
use super::statement::Values;
use super::token_search::Search;
use super::tokens::{recent_agents_column, TokenRow, FROM, PAGE_COLUMNS};
use serde::Deserialize;
use shared::expiry::NEVER;
use shared::listing::{
    CursorKey, Order, SortKey, StatusFilter, TokenQuery, COUNT_CAP, SEARCH_WINDOW,
};
use shared::time::Timestamp;
use shared::token_policy::beyond_sql;
use shared::token_state::{Owner, Rule, Tables};
use shared::TokenStatus;
use shared::UserId;
use worker::D1Database;

/// The SQL expression a sort key orders by; the schema's `tokens_*_order` indexes use the same ones.
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

/// `WHERE` conditions and their parameters for a listing's filters other than the text, and
/// apart the Active and beyond-policy filters', which no index narrows (most tokens are active; most may be beyond a new policy): the listing
/// walks in its order checking it, at most `SEARCH_WINDOW` tokens per request. Every value
/// is bound; the SQL text is built only from fixed fragments.
fn filters(
    scope: Option<UserId>,
    q: &TokenQuery,
    now: i64,
) -> (Vec<String>, Values, Option<String>) {
    let mut active = None;
    let mut conditions = Vec::new();
    let mut params = Values::new();
    if let Some(owner) = scope {
        let p = params.id(Some(owner));
        conditions.push(format!("t.owner_id = {p}"));
    }
    if let Some(owner) = q.owner {
        let p = params.id(Some(owner));
        conditions.push(format!("t.owner_id = {p}"));
    }
    // Each filter is its status's rule (`shared::token_state`), rendered where an index
    // serves it: revoked and expired tokens by their own indexes, a disabled owner's by the
    // owner index, and the walk's Active check on the joined owner.
    let mut rule = |rule: Rule, on: &Tables| rule.sql(on, &mut |b| params.bound(b));
    let alone = |alias| Tables {
        token: alias,
        owner: Owner::ById,
    };
    match q.status {
        None => {}
        Some(StatusFilter::ExpiringSoon) => {
            conditions.push(rule(Rule::expiring_soon(now), &Tables::JOINED))
        }
        // Looked up through the index of revoked tokens and sorted, rather than the whole
        // list walked in its order to find a few.
        Some(StatusFilter::Is(TokenStatus::Revoked)) => conditions.push(format!(
            "t.id IN (SELECT r.id FROM tokens r WHERE {})",
            rule(Rule::status(TokenStatus::Revoked, now), &alone("r"))
        )),
        Some(StatusFilter::Is(TokenStatus::Active)) => {
            active = Some(format!(
                "({})",
                rule(Rule::status(TokenStatus::Active, now), &Tables::JOINED)
            ))
        }
        // Through the disabled users' tokens (by the owner index), not every token.
        Some(StatusFilter::Is(TokenStatus::OwnerDisabled)) => conditions.push(rule(
            Rule::status(TokenStatus::OwnerDisabled, now),
            &alone("t"),
        )),
        // Through `tokens_expiring` (a range of the unrevoked tokens with an expiry) and
        // sorted, rather than the whole list walked in its order to find a few: that walk read
        // every one of 100,000 tokens when none had expired.
        Some(StatusFilter::Is(TokenStatus::Expired)) => conditions.push(format!(
            "t.id IN (SELECT e.id FROM tokens e WHERE {})",
            rule(Rule::status(TokenStatus::Expired, now), &alone("e"))
        )),
    }
    // Beyond the lifetime policy: checked on the walk, like Active. Right after a first policy
    // most tokens may be beyond it, and a lookup of them all (by `tokens_expires_order`)
    // would read every one; the walk reads at most its window (the policy, one row, is read
    // inside the statement).
    if q.beyond_policy {
        let now = params.number(now);
        let beyond = beyond_sql("t", &now);
        active = Some(match active {
            Some(status) => format!("{status} AND {beyond}"),
            None => beyond,
        });
    }
    (conditions, params, active)
}

/// The first `SEARCH_WINDOW` tokens meeting `conditions`, in the listing's order, as a table
/// named `t` with every column of `tokens` (`from` joins the owner when a condition reads it).
fn window(from: &str, conditions: &[String], order: &str) -> String {
    format!(
        "(SELECT t.* {from} {} {order} LIMIT {SEARCH_WINDOW})",
        where_clause(conditions)
    )
}

/// One page of a listing and its total.
pub struct Listing {
    /// Up to `limit + 1` rows, each with its recent agents: one more than asked tells whether
    /// another page exists.
    pub rows: Vec<TokenRow>,
    /// How many tokens match the filters, over all pages; at most `COUNT_CAP` when capped.
    pub total: u64,
    /// Counting stopped at `COUNT_CAP`, or a walking search examined only its window: at
    /// least `total` match.
    pub capped: bool,
    /// A walking search stopped at the end of its window before the page was full: where to
    /// go on (the last token it examined).
    pub searched_to: Option<CursorAt>,
    /// The rows D1 read for the page and its total (`meta.rows_read`), for `Server-Timing`.
    pub rows_read: usize,
}

/// A position in the listing's order: the sort key's value and the token's id.
#[derive(Deserialize)]
pub struct CursorAt {
    pub key: serde_json::Value,
    pub id: String,
}

impl CursorAt {
    pub fn key(&self) -> Option<CursorKey> {
        match &self.key {
            serde_json::Value::String(t) => Some(CursorKey::Text(t.clone())),
            other => other.as_f64().map(|n| CursorKey::Number(n as i64)),
        }
    }
}

/// One page of a listing, in the requested order after the cursor's position, each token with
/// the agents that used it since `agents_since` (looked up per row of the page, by index), and
/// the total: the statements in one `batch()`, so one round trip to D1 (two for a text search,
/// which first asks how common the text's pieces are).
pub async fn list(
    db: &D1Database,
    scope: Option<UserId>,
    q: &TokenQuery,
    now: i64,
    agents_since: i64,
) -> worker::Result<Listing> {
    let (mut conditions, mut params, active) = filters(scope, q, now);
    // D1 wants exactly as many values as a statement's highest placeholder: the filters'
    // come first, then the cursor's, then the search's, then the page's own; each statement
    // is bound with the prefix it reads (a placeholder skipped below its highest is unread).
    let expression = sort_expression(q.sort);
    let (direction, comparison) = match q.order {
        Order::Asc => ("ASC", ">"),
        Order::Desc => ("DESC", "<"),
    };
    let filtered = params.len();
    let after_cursor = q.cursor.as_ref().map(|cursor| {
        let key = match &cursor.key {
            CursorKey::Number(n) => params.number(*n),
            CursorKey::Text(t) => params.text(Some(t)),
        };
        let id = params.text(Some(&cursor.id.to_string()));
        format!("({expression}, t.id) {comparison} ({key}, {id})")
    });
    let mut read = 0;
    let search = match q.q.as_deref() {
        Some(text) => {
            let (search, cost) = Search::plan(db, text, &mut params).await?;
            read += cost;
            Some(search)
        }
        None => None,
    };
    // What a walk checks row by row, inside its window: a search whose pieces are all common,
    // the Active filter, or both. An indexed search's candidates are few: checked in place.
    let walk = match (&search, active) {
        (Some(search), active) if search.walks() => Some(
            std::iter::once(search.condition())
                .chain(active)
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
        (Some(search), active) => {
            conditions.push(search.condition());
            conditions.extend(active);
            None
        }
        (None, active) => active,
    };
    let order = format!("ORDER BY {expression} {direction}, t.id {direction}");
    // The owner join never changes how many tokens there are (a token has at most one
    // owner), so a count or a walk's window skips it unless a condition there reads the
    // owner; a walk whose own check does (Active) joins them outside its window, once a row.
    let active = matches!(q.status, Some(StatusFilter::Is(TokenStatus::Active)));
    let narrow_from =
        if matches!(q.status, Some(StatusFilter::ExpiringSoon)) || (active && walk.is_none()) {
            FROM
        } else {
            "FROM tokens t"
        };
    let reads_owner = active && walk.is_some();
    let cap = COUNT_CAP + 1;
    // The walk's outer query joins the owner when its condition reads them.
    let walk_from = |window: &str| {
        if reads_owner {
            format!("FROM {window} t LEFT JOIN users u ON u.id = t.owner_id")
        } else {
            format!("FROM {window} t")
        }
    };
    // The count binds up to its highest placeholder: the search's when there is one (the
    // cursor's, between, unread), else the filters'.
    let counted = if search.is_some() {
        params.len()
    } else {
        filtered
    };
    let count = match (counter(scope, q), &walk) {
        // The whole list, or one owner's tokens: a counter row, one read.
        (Some(key), _) => db
            .prepare("SELECT COALESCE((SELECT n FROM token_counts WHERE scope = ?1), 0) AS n, 0 AS capped")
            .bind(&[key.into()])?,
        // A walk counts the matches among the tokens of its window, up to the cap; short of
        // it, at least that many when the window was full (asked only then).
        (None, Some(walk)) => {
            let sql = format!(
                "SELECT MIN(n, {COUNT_CAP}) AS n, CASE WHEN n > {COUNT_CAP} THEN 1 ELSE \
                   (SELECT COUNT(*) FROM (SELECT 1 {narrow_from} {} LIMIT {SEARCH_WINDOW})) >= {SEARCH_WINDOW} END AS capped \
                 FROM (SELECT COUNT(*) AS n FROM (SELECT 1 {} WHERE {walk} LIMIT {cap}))",
                where_clause(&conditions),
                walk_from(&window(narrow_from, &conditions, &order)),
            );
            params.prepare_first(db, &sql, counted)?
        }
        // Anything else filtered: counted up to the cap, one more telling there are more.
        (None, None) => {
            let sql = format!(
                "SELECT MIN(n, {COUNT_CAP}) AS n, n > {COUNT_CAP} AS capped FROM \
                 (SELECT COUNT(*) AS n FROM (SELECT 1 {narrow_from} {} LIMIT {cap}))",
                where_clause(&conditions)
            );
            params.prepare_first(db, &sql, counted)?
        }
    };
    conditions.extend(after_cursor);
    let columns = format!(
        "{PAGE_COLUMNS}, {}",
        recent_agents_column(&mut params, agents_since)
    );
    let limit = params.number(i64::from(q.limit) + 1);
    let mut statements = Vec::new();
    match &walk {
        Some(walk) => {
            let window = window(narrow_from, &conditions, &order);
            // No ORDER BY outside: the window yields its tokens in the listing's order, and a
            // filter and a join on the owner's key keep that order, so the page stops reading
            // once full (an outer sort would read the whole window first). Tested by the
            // order of walking searches' pages.
            statements.push(format!(
                "{columns} FROM {window} t LEFT JOIN users u ON u.id = t.owner_id \
                 WHERE {walk} LIMIT {limit}"
            ));
            // When the page is not full, the window's last token: where the next page starts.
            // The guard is the walk's LIMIT, 1 or 0: SQLite reads a LIMIT before its loop and
            // skips the walk to the window's end when it is 0 (a page already full). In the
            // WHERE it would be checked row by row, a subquery never counting as constant there.
            statements.push(format!(
                "SELECT {expression} AS key, t.id AS id FROM (SELECT t.* {narrow_from} {} \
                 {order} LIMIT ((SELECT COUNT(*) FROM (SELECT 1 {} WHERE {walk} LIMIT {limit})) < {limit}) \
                 OFFSET {}) t",
                where_clause(&conditions),
                walk_from(&window),
                SEARCH_WINDOW - 1,
            ));
        }
        None => statements.push(format!(
            "{columns} {FROM} {} {order} LIMIT {limit}",
            where_clause(&conditions)
        )),
    }
    let mut batch = vec![count];
    for sql in statements {
        batch.push(params.prepare(db, &sql)?);
    }
    let answers = db.batch(batch).await?;
    read += answers.iter().map(rows_read).sum::<usize>();
    let mut answers = answers.into_iter();
    let mut next = || {
        answers
            .next()
            .ok_or_else(|| worker::Error::RustError("a batch answer is missing".into()))
    };
    let (count, page) = (next()?, next()?);
    let searched_to = match answers.next() {
        Some(boundary) => boundary.results::<CursorAt>()?.into_iter().next(),
        None => None,
    };
    let rows = page.results::<TokenRow>()?;
    let count = count.results::<Count>()?;
    let count = count.first();
    Ok(Listing {
        rows,
        total: count.map_or(0, |c| c.n),
        capped: count.is_some_and(|c| c.capped != 0),
        searched_to,
        rows_read: read,
    })
}

/// The counter that holds a listing's total, when it has one: no status and no text filter,
/// and at most one owner asked for (by the caller's scope, the `owner` filter, or both alike).
fn counter(scope: Option<UserId>, q: &TokenQuery) -> Option<String> {
    if q.status.is_some() || q.q.is_some() || q.beyond_policy {
        return None;
    }
    match (scope, q.owner) {
        (None, None) => Some("*".to_owned()),
        (Some(o), None) | (None, Some(o)) => Some(o.to_string()),
        (Some(s), Some(o)) if s == o => Some(o.to_string()),
        _ => None,
    }
}

#[derive(Deserialize)]
struct Count {
    n: u64,
    capped: u8,
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}
