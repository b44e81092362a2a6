//! Listing tokens: filters, keyset pages in every sort order, and totals. Every value is
//! bound; the SQL text is built only from fixed fragments.

use super::tokens::{recent_agents_column, TokenRow, FROM, PAGE_COLUMNS};
use serde::Deserialize;
use shared::expiry::NEVER;
use shared::listing::{
    CursorKey, Order, SortKey, StatusFilter, TokenQuery, COUNT_CAP, SEARCH_WINDOW,
};
use shared::time::Timestamp;
use shared::token::hint_suffix;
use shared::token_state::{Owner, Rule, Tables};
use shared::TokenStatus;
use wasm_bindgen::JsValue;
use worker::D1Database;

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

/// `WHERE` conditions and their parameters for a listing's filters other than the text, and
/// apart the Active filter's, which no index narrows (most tokens are active): the listing
/// walks in its order checking it, at most `SEARCH_WINDOW` tokens per request. Every value
/// is bound; the SQL text is built only from fixed fragments.
fn filters(
    scope: Option<&str>,
    q: &TokenQuery,
    now: i64,
) -> (Vec<String>, Vec<JsValue>, Option<String>) {
    let mut active = None;
    let mut conditions = Vec::new();
    let mut params: Vec<JsValue> = Vec::new();
    if let Some(owner) = scope {
        let p = bind(&mut params, owner.into());
        conditions.push(format!("t.owner_id = {p}"));
    }
    if let Some(owner) = q.owner {
        let p = bind(&mut params, owner.to_string().into());
        conditions.push(format!("t.owner_id = {p}"));
    }
    // Each filter is its status's rule (`shared::token_state`), rendered where an index
    // serves it: revoked and expired tokens by their own indexes, a disabled owner's by the
    // owner index, and the walk's Active check on the joined owner.
    let mut rule =
        |rule: Rule, on: &Tables| rule.sql(on, &mut |ms| bind(&mut params, (ms as f64).into()));
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
    (conditions, params, active)
}

/// Adds a parameter; its placeholder.
fn bind(params: &mut Vec<JsValue>, value: JsValue) -> String {
    params.push(value);
    format!("?{}", params.len())
}

/// A text search (`q`): what people type is part of the description or of the owner's name,
/// or the last four characters the hint shows (alone, or as the whole hint). The description
/// is found through the index of its three-character pieces (migration 0012).
///
/// The plan is chosen from how common the text's pieces are, asked first (one short
/// statement, at most 8,008 index entries): when its rarest piece is in at most `COUNT_CAP`
/// descriptions, the union of three index lookups (those descriptions, the hint, the owners'
/// tokens), sorted; when every piece is more common than that (say "seed" among 100,000
/// "seed …" tokens), the list is walked in its order and each token checked, which for a
/// common text fills the page soon, and which stops after `SEARCH_WINDOW` tokens in any case
/// (the answer then says there is more to search, and where to go on).
struct Search {
    /// The bound parameters: the text, and its hint ending (or NULL).
    text: String,
    last4: String,
    plan: Plan,
}

enum Plan {
    /// The descriptions holding this piece (a bound parameter), each checked for the text.
    Piece(String),
    /// Fewer than three characters: the descriptions with a piece starting with the text.
    Prefix,
    /// Every piece is common: the list in its order, at most `SEARCH_WINDOW` tokens.
    Walk,
}

/// What the first statement learns about the text: its rarest piece and in how many
/// descriptions it is (counted up to `COUNT_CAP` + 1).
#[derive(Deserialize)]
struct Rarest {
    gram: Option<String>,
    n: u64,
}

impl Search {
    /// Asks how common the text's pieces are, chooses the plan, binds its parameters; also
    /// the rows that cost.
    async fn plan(
        db: &D1Database,
        text: &str,
        params: &mut Vec<JsValue>,
    ) -> worker::Result<(Self, usize)> {
        let cap = COUNT_CAP + 1;
        let short = text.chars().count() < 3;
        let sql = if short {
            format!(
                "SELECT NULL AS gram, (SELECT COUNT(*) FROM (SELECT 1 FROM token_grams c \
                   WHERE c.gram >= lower(?1) AND c.gram < lower(?1) || char(1114111) LIMIT {cap})) AS n"
            )
        } else {
            // Up to eight pieces that cover the text, each counted up to the cap.
            format!(
                "SELECT s.gram AS gram, (SELECT COUNT(*) FROM \
                   (SELECT 1 FROM token_grams c WHERE c.gram = s.gram LIMIT {cap})) AS n \
                 FROM (SELECT substr(lower(?1), i, 3) AS gram FROM search_positions \
                   WHERE i <= length(?1) - 2 AND ((i - 1) % 3 = 0 OR i = length(?1) - 2) LIMIT 8) s \
                 ORDER BY n LIMIT 1"
            )
        };
        let answer = db.prepare(sql).bind(&[text.into()])?.all().await?;
        let read = rows_read(&answer);
        let rarest = answer.results::<Rarest>()?.into_iter().next();
        let plan = match rarest {
            Some(r) if r.n > COUNT_CAP => Plan::Walk,
            Some(Rarest {
                gram: Some(gram), ..
            }) => Plan::Piece(bind(params, gram.into())),
            _ => Plan::Prefix,
        };
        let search = Search {
            text: bind(params, text.into()),
            last4: bind(
                params,
                hint_suffix(text).map_or(JsValue::NULL, JsValue::from),
            ),
            plan,
        };
        Ok((search, read))
    }

    /// The condition a row must meet, phrased so SQLite looks each part up by index unless
    /// the plan walks.
    fn condition(&self) -> String {
        let (p, last4) = (&self.text, &self.last4);
        let name = match &self.plan {
            Plan::Walk => format!("instr(lower(t.name), lower({p})) > 0"),
            Plan::Prefix => format!(
                "(t.id IN (SELECT g.token_id FROM token_grams g WHERE g.gram >= lower({p}) \
                   AND g.gram < lower({p}) || char(1114111)) AND instr(lower(t.name), lower({p})) > 0)"
            ),
            Plan::Piece(gram) => format!(
                "(t.id IN (SELECT g.token_id FROM token_grams g WHERE g.gram = {gram}) \
                 AND instr(lower(t.name), lower({p})) > 0)"
            ),
        };
        format!(
            "({name} OR t.last4 = {last4} \
             OR t.owner_id IN (SELECT id FROM users WHERE instr(lower(COALESCE(display_name, '')), lower({p})) > 0 \
                OR instr(lower(username), lower({p})) > 0))"
        )
    }

    fn walks(&self) -> bool {
        matches!(self.plan, Plan::Walk)
    }
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
    scope: Option<&str>,
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
        params.push(match &cursor.key {
            CursorKey::Number(n) => (*n as f64).into(),
            CursorKey::Text(t) => t.as_str().into(),
        });
        params.push(cursor.id.to_string().into());
        let (a, b) = (params.len() - 1, params.len());
        format!("({expression}, t.id) {comparison} (?{a}, ?{b})")
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
            db.prepare(sql).bind(&params[..counted])?
        }
        // Anything else filtered: counted up to the cap, one more telling there are more.
        (None, None) => {
            let sql = format!(
                "SELECT MIN(n, {COUNT_CAP}) AS n, n > {COUNT_CAP} AS capped FROM \
                 (SELECT COUNT(*) AS n FROM (SELECT 1 {narrow_from} {} LIMIT {cap}))",
                where_clause(&conditions)
            );
            db.prepare(sql).bind(&params[..counted])?
        }
    };
    conditions.extend(after_cursor);
    params.push((agents_since as f64).into());
    let columns = format!("{PAGE_COLUMNS}, {}", recent_agents_column(params.len()));
    params.push(f64::from(q.limit + 1).into());
    let limit = format!("?{}", params.len());
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
        batch.push(db.prepare(sql).bind(&params)?);
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

/// What D1 says a statement read (`meta.rows_read`).
fn rows_read(answer: &worker::D1Result) -> usize {
    answer
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.rows_read)
        .unwrap_or(0)
}

/// The counter that holds a listing's total, when it has one: no status and no text filter,
/// and at most one owner asked for (by the caller's scope, the `owner` filter, or both alike).
fn counter(scope: Option<&str>, q: &TokenQuery) -> Option<String> {
    if q.status.is_some() || q.q.is_some() {
        return None;
    }
    match (scope, q.owner.map(|o| o.to_string())) {
        (None, None) => Some("*".to_owned()),
        (Some(s), None) => Some(s.to_owned()),
        (None, Some(o)) => Some(o),
        (Some(s), Some(o)) if s == o => Some(o),
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
