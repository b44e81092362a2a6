//! Listing tokens: filters, keyset pages in every sort order, and totals. Every value is
//! bound; the SQL text is built only from fixed fragments.

use super::tokens::{recent_agents_column, TokenRow, FROM, PAGE_COLUMNS};
use serde::Deserialize;
use shared::expiry::NEVER;
use shared::listing::{
    CursorKey, Order, SortKey, StatusFilter, TokenQuery, COUNT_CAP, EXPIRING_SOON_MS,
};
use shared::time::Timestamp;
use shared::token::hint_suffix;
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

/// `WHERE` conditions and their parameters for a listing; every value is bound, the SQL text
/// is built only from fixed fragments.
fn filters(
    scope: Option<&str>,
    q: &TokenQuery,
    now: i64,
) -> (Vec<String>, Vec<JsValue>, Option<Search>) {
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
            // Looked up through the index of revoked tokens and sorted, rather than the
            // whole list walked in its order to find a few.
            conditions
                .push("t.id IN (SELECT r.id FROM tokens r WHERE r.revoked_at IS NOT NULL)".into())
        }
        Some(StatusFilter::Is(TokenStatus::Active)) => {
            let p = bind(&mut params, (now as f64).into());
            conditions.push(format!(
                "t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > {p}) \
                 AND COALESCE(u.disabled, 0) = 0"
            ));
        }
        // Through the disabled users' tokens (by the owner index), not every token.
        Some(StatusFilter::Is(TokenStatus::OwnerDisabled)) => {
            let p = bind(&mut params, (now as f64).into());
            conditions.push(format!(
                "t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > {p}) \
                 AND t.owner_id IN (SELECT id FROM users WHERE disabled = 1)"
            ));
        }
        // Through `tokens_expiring` (a range of the unrevoked tokens with an expiry) and
        // sorted, rather than the whole list walked in its order to find a few: that walk read
        // every one of 100,000 tokens when none had expired.
        Some(StatusFilter::Is(TokenStatus::Expired)) => {
            let p = bind(&mut params, (now as f64).into());
            conditions.push(format!(
                "t.id IN (SELECT e.id FROM tokens e WHERE e.expires_at IS NOT NULL \
                 AND e.revoked_at IS NULL AND e.expires_at <= {p})"
            ));
        }
    }
    let search = q.q.as_deref().map(|text| Search {
        text: bind(&mut params, text.into()),
        last4: bind(
            &mut params,
            hint_suffix(text).map_or(JsValue::NULL, JsValue::from),
        ),
        short: text.chars().count() < 3,
    });
    (conditions, params, search)
}

/// A text search (`q`): what people type is part of the description or of the owner's name,
/// or the last four characters the hint shows (alone, or as the whole hint). The description
/// is found through the index of its three-character pieces (migration 0012).
///
/// Two plans, and the statement picks one itself (so still one round trip): when the text's
/// rarest piece is in at most `COUNT_CAP` descriptions, the union of three index lookups
/// (those descriptions, the hint, the owners' tokens), sorted; when every piece is more common
/// than that (say "seed" among 100,000 "seed …" tokens), the list is walked in its order and
/// each row checked, stopping when the page is full, which for a common text is soon. The
/// guard is each plan's LIMIT (the other's is 0), which SQLite evaluates before reading a row.
struct Search {
    /// The bound parameters: the text, and its hint ending (or NULL).
    text: String,
    last4: String,
    /// Fewer than three characters: matched as the start of a piece.
    short: bool,
}

impl Search {
    /// `piece(gram, n)`: up to eight pieces covering the text, each with how many descriptions
    /// hold it, counted up to `COUNT_CAP` + 1 (so at most 8,008 index entries are read); for a
    /// short text, one row counting the pieces that start with it.
    fn pieces(&self) -> String {
        let (p, cap) = (&self.text, COUNT_CAP + 1);
        if self.short {
            format!(
                "WITH piece(gram, n) AS MATERIALIZED (SELECT NULL, (SELECT COUNT(*) FROM \
                 (SELECT 1 FROM token_grams c WHERE c.gram >= lower({p}) \
                   AND c.gram < lower({p}) || char(1114111) LIMIT {cap})))"
            )
        } else {
            format!(
                "WITH piece(gram, n) AS MATERIALIZED (SELECT s.gram, (SELECT COUNT(*) FROM \
                 (SELECT 1 FROM token_grams c WHERE c.gram = s.gram LIMIT {cap})) \
                 FROM (SELECT substr(lower({p}), i, 3) AS gram FROM search_positions \
                   WHERE i <= length({p}) - 2 AND ((i - 1) % 3 = 0 OR i = length({p}) - 2) LIMIT 8) s)"
            )
        }
    }

    /// The condition a row must meet; `indexed` phrases it so SQLite looks each part up.
    fn condition(&self, indexed: bool) -> String {
        let (p, last4) = (&self.text, &self.last4);
        let name = if !indexed {
            format!("instr(lower(t.name), lower({p})) > 0")
        } else if self.short {
            format!(
                "(t.id IN (SELECT g.token_id FROM token_grams g WHERE g.gram >= lower({p}) \
                   AND g.gram < lower({p}) || char(1114111)) AND instr(lower(t.name), lower({p})) > 0)"
            )
        } else {
            format!(
                "(t.id IN (SELECT g.token_id FROM token_grams g \
                   WHERE g.gram = (SELECT gram FROM piece ORDER BY n LIMIT 1)) \
                 AND instr(lower(t.name), lower({p})) > 0)"
            )
        };
        format!(
            "({name} OR t.last4 = {last4} \
             OR t.owner_id IN (SELECT id FROM users WHERE instr(lower(COALESCE(display_name, '')), lower({p})) > 0 \
                OR instr(lower(username), lower({p})) > 0))"
        )
    }

    /// `<select columns> <from> WHERE … <order> LIMIT <limit>` twice, one plan each, of which
    /// only the fitting one reads anything.
    fn both_plans(
        &self,
        columns: &str,
        from: &str,
        conditions: &[String],
        order: &str,
        limit: &str,
    ) -> String {
        let plan = |indexed: bool| {
            let mut all = conditions.to_vec();
            all.push(self.condition(indexed));
            let fits = if indexed { "<=" } else { ">" };
            format!(
                "SELECT * FROM ({columns} {from} {} {order} \
                 LIMIT CASE WHEN (SELECT MIN(n) FROM piece) {fits} {COUNT_CAP} THEN {limit} ELSE 0 END)",
                where_clause(&all)
            )
        };
        format!("{} {} UNION ALL {}", self.pieces(), plan(true), plan(false))
    }
}

/// One page of a listing and its total.
pub struct Listing {
    /// Up to `limit + 1` rows, each with its recent agents: one more than asked tells whether
    /// another page exists.
    pub rows: Vec<TokenRow>,
    /// How many tokens match the filters, over all pages; at most `COUNT_CAP` when capped.
    pub total: u64,
    /// Counting stopped at `COUNT_CAP`: more than `total` match.
    pub capped: bool,
    /// The rows D1 read for the page and its total (`meta.rows_read`), for `Server-Timing`.
    pub rows_read: usize,
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
    let (mut conditions, mut params, search) = filters(scope, q, now);
    let count = match counter(scope, q) {
        // The whole list, or one owner's tokens: a counter row, one read.
        Some(key) => db
            .prepare("SELECT COALESCE((SELECT n FROM token_counts WHERE scope = ?1), 0) AS n, 0 AS capped")
            .bind(&[key.into()])?,
        // Anything filtered: counted up to the cap, one more telling there are more. The
        // owner join never changes how many tokens there are (a token has at most one
        // owner), so it is skipped unless a filter reads the owner.
        None => {
            let reads_owner = matches!(
                q.status,
                Some(StatusFilter::ExpiringSoon | StatusFilter::Is(TokenStatus::Active))
            );
            let from = if reads_owner { FROM } else { "FROM tokens t" };
            let cap = (COUNT_CAP + 1).to_string();
            let matching = match &search {
                Some(search) => search.both_plans("SELECT 1", from, &conditions, "", &cap),
                None => format!("SELECT 1 {from} {} LIMIT {cap}", where_clause(&conditions)),
            };
            let sql = format!(
                "SELECT MIN(n, {COUNT_CAP}) AS n, n > {COUNT_CAP} AS capped FROM \
                 (SELECT COUNT(*) AS n FROM ({matching}))"
            );
            db.prepare(sql).bind(&params)?
        }
    };
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
    let limit = format!("?{}", params.len());
    let order = format!("ORDER BY {expression} {direction}, t.id {direction}");
    let sql = match &search {
        Some(search) => search.both_plans(&columns, FROM, &conditions, &order, &limit),
        None => format!(
            "{columns} {FROM} {} {order} LIMIT {limit}",
            where_clause(&conditions)
        ),
    };
    let page = db.prepare(sql).bind(&params)?;
    let mut results = db.batch(vec![page, count]).await?.into_iter();
    let mut next = || {
        results
            .next()
            .ok_or_else(|| worker::Error::RustError("a batch answer is missing".into()))
    };
    let (page, count) = (next()?, next()?);
    let rows_read = [&page, &count]
        .iter()
        .map(|r| {
            r.meta()
                .ok()
                .flatten()
                .and_then(|m| m.rows_read)
                .unwrap_or(0)
        })
        .sum();
    let rows = page.results::<TokenRow>()?;
    let count = count.results::<Count>()?;
    let count = count.first();
    Ok(Listing {
        rows,
        total: count.map_or(0, |c| c.n),
        capped: count.is_some_and(|c| c.capped != 0),
        rows_read,
    })
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
