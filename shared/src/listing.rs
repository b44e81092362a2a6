//! The token list's query string: filters, sort order, page size and the keyset cursor.
//! Parsed here, purely, so every rule is unit tested and the worker only maps it to SQL.

use crate::status::TokenStatus;
use crate::token::{to_hex, unhex};
use crate::{TokenId, UserId};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
pub const MAX_SEARCH_CHARS: usize = 255;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    CreatedAt,
    Name,
    LastUsedAt,
    ExpiresAt,
}

impl SortKey {
    const ALL: [SortKey; 4] = [
        Self::CreatedAt,
        Self::Name,
        Self::LastUsedAt,
        Self::ExpiresAt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreatedAt => "createdAt",
            Self::Name => "name",
            Self::LastUsedAt => "lastUsedAt",
            Self::ExpiresAt => "expiresAt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The direction a column header sorts in when first chosen: names A to Z, expiry soonest
    /// first, times newest first.
    pub fn natural_order(self) -> Order {
        match self {
            Self::Name | Self::ExpiresAt => Order::Asc,
            Self::CreatedAt | Self::LastUsedAt => Order::Desc,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Asc, Self::Desc]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// A filtered list counts its matches up to this many; beyond, its total reads "more than
/// 1,000" (as GitHub's do), so no admin request counts every token. The unfiltered list and
/// one owner's tokens have exact totals, from counters the database keeps.
pub const COUNT_CAP: u64 = 1000;

/// A search whose every piece is common (its three-character pieces each in more than
/// [`COUNT_CAP`] descriptions), and the Active filter, walk the list in its order, checking
/// each token. They examine at most this many per request: when the page is not full by then,
/// the answer says so (`moreToSearch`) and its cursor goes on from the last token examined. So
/// a text common in parts but rare as a whole ("prod-01" among thousands of "prod-…"), or the
/// few active tokens among many revoked, cost each request this many rows, not the whole list.
pub const SEARCH_WINDOW: u64 = 2_000;

/// "Expiring soon": active and expiring within this long.
pub const EXPIRING_SOON_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// What the `status` filter can ask for: one status, or the active tokens that expire within
/// [`EXPIRING_SOON_MS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Is(TokenStatus),
    ExpiringSoon,
}

impl StatusFilter {
    /// Every choice, in the order the filter offers them.
    pub fn all() -> impl Iterator<Item = StatusFilter> {
        [
            Self::Is(TokenStatus::Active),
            Self::ExpiringSoon,
            Self::Is(TokenStatus::Revoked),
            Self::Is(TokenStatus::Expired),
            Self::Is(TokenStatus::OwnerDisabled),
        ]
        .into_iter()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Is(status) => status.as_str(),
            Self::ExpiringSoon => "expiring",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Is(status) => status.label(),
            Self::ExpiringSoon => "Expiring soon",
        }
    }
}

/// The `status` filter's words: `active`, `expiring`, `revoked`, `expired` or `owner_disabled`.
pub fn parse_status(s: &str) -> Option<StatusFilter> {
    StatusFilter::all().find(|f| f.as_str() == s)
}

/// Where the previous page ended: the sort key's value there and the id that breaks ties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorKey {
    Number(i64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: CursorKey,
    pub id: TokenId,
}

impl Cursor {
    /// A page's `nextCursor`, for the query with the sort order that page had.
    pub fn parse(raw: &str, sort: SortKey, order: Order) -> Option<Self> {
        decode_cursor(raw, sort, order)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenQuery {
    pub status: Option<StatusFilter>,
    /// Case-insensitive substring of the name.
    pub q: Option<String>,
    pub owner: Option<UserId>,
    /// Only the tokens beyond the organisation's lifetime policy (`policy=beyond`).
    pub beyond_policy: bool,
    pub sort: SortKey,
    pub order: Order,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

impl Default for TokenQuery {
    fn default() -> Self {
        Self {
            status: None,
            q: None,
            owner: None,
            beyond_policy: false,
            sort: SortKey::CreatedAt,
            order: Order::Desc,
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

impl TokenQuery {
    /// Parses decoded query pairs. Unknown parameters and repeated ones are errors, so a typo
    /// cannot silently widen a listing.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, String> {
        let mut query = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        let mut raw_cursor = None;
        for (key, value) in pairs {
            if seen.contains(&key) {
                return Err(format!(
                    "the query parameter \"{}\" appears more than once",
                    shorten(key)
                ));
            }
            seen.push(key);
            if key == "cursor" {
                raw_cursor = Some(value);
            } else {
                query.set(key, value).map_err(|()| refusal(key))?;
            }
        }
        if let Some(raw) = raw_cursor {
            query.cursor = Some(decode_cursor(raw, query.sort, query.order).ok_or(
                "cursor must be the nextCursor of an earlier page with the same sort and order",
            )?);
        }
        Ok(query)
    }

    /// Sets the parameter `key` (not the cursor, which is read against the final sort and
    /// order) from `value`, or leaves the query as it was when either is not one it takes.
    /// [`TokenQuery::parse`] says why with [`refusal`]; the app's addresses need no words, so
    /// the app carries none of them.
    fn set(&mut self, key: &str, value: &str) -> Result<(), ()> {
        match key {
            "status" => self.status = Some(parse_status(value).ok_or(())?),
            "q" if value.chars().count() <= MAX_SEARCH_CHARS => {
                self.q = Some(value.trim().to_owned()).filter(|q| !q.is_empty());
            }
            "owner" => self.owner = Some(UserId::parse(value).ok_or(())?),
            "policy" if value == "beyond" => self.beyond_policy = true,
            "sort" => self.sort = SortKey::parse(value).ok_or(())?,
            "order" => self.order = Order::parse(value).ok_or(())?,
            "limit" => {
                self.limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or(())?;
            }
            _ => return Err(()),
        }
        Ok(())
    }

    /// The list a page address asks for (`/tokens?status=revoked&sort=name`): what the app
    /// writes there ([`TokenQuery::to_address`]) reads back the same; anything else (an unknown
    /// parameter, a bad value) falls back to the default, because an address is never an error.
    pub fn from_address(search: &str) -> Self {
        let mut query = Self::default();
        for (key, value) in crate::address::pairs(search) {
            let mut one = Self::default();
            let _ = one.set(&key, &value);
            match key.as_str() {
                "status" => query.status = one.status,
                "q" => query.q = one.q,
                "owner" => query.owner = one.owner,
                "policy" => query.beyond_policy = one.beyond_policy,
                "sort" => query.sort = one.sort,
                "order" => query.order = one.order,
                _ => {}
            }
        }
        query
    }

    /// The filters that are set, as query pairs.
    fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(status) = self.status {
            pairs.push(("status", status.as_str().to_owned()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        if let Some(owner) = self.owner {
            pairs.push(("owner", owner.to_string()));
        }
        if self.beyond_policy {
            pairs.push(("policy", "beyond".to_owned()));
        }
        pairs
    }

    /// The page address's query string for this list's filters and order (`""` for the
    /// default list); the page size and the cursor are not part of it.
    pub fn to_address(&self) -> String {
        let default = Self::default();
        let mut pairs = self.filter_pairs();
        if (self.sort, self.order) != (default.sort, default.order) {
            pairs.push(("sort", self.sort.as_str().to_owned()));
            pairs.push(("order", self.order.as_str().to_owned()));
        }
        crate::address::query(&pairs)
    }

    /// The query string's pairs, which [`TokenQuery::parse`] reads back as this query: the
    /// browser builds the list's URL from them.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("limit", self.limit.to_string())];
        pairs.extend(self.filter_pairs());
        pairs.push(("sort", self.sort.as_str().to_owned()));
        pairs.push(("order", self.order.as_str().to_owned()));
        if let Some(cursor) = &self.cursor {
            let id = cursor.id.to_string();
            pairs.push((
                "cursor",
                encode_cursor(self.sort, self.order, &cursor.key, &id),
            ));
        }
        pairs
    }
}

/// `v1.<sort>.<order>.<n|t><key>.<id>`: self-describing so a cursor from another sort order
/// is refused instead of silently skipping rows. Text keys are hex, so any name fits a URL.
pub fn encode_cursor(sort: SortKey, order: Order, key: &CursorKey, id: &str) -> String {
    let key = match key {
        CursorKey::Number(n) => format!("n{n}"),
        CursorKey::Text(t) => format!("t{}", to_hex(t.as_bytes())),
    };
    format!("v1.{}.{}.{key}.{id}", sort.as_str(), order.as_str())
}

fn decode_cursor(raw: &str, sort: SortKey, order: Order) -> Option<Cursor> {
    let mut parts = raw.split('.');
    let (version, s, o, key, id) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if version != "v1" || parts.next().is_some() || SortKey::parse(s)? != sort {
        return None;
    }
    if (o == "asc") != (order == Order::Asc) || !matches!(o, "asc" | "desc") {
        return None;
    }
    let key = match key.split_at_checked(1)? {
        ("n", n) => CursorKey::Number(n.parse().ok()?),
        ("t", hex) if sort == SortKey::Name => {
            CursorKey::Text(String::from_utf8(unhex(hex)?).ok()?)
        }
        _ => return None,
    };
    if matches!(key, CursorKey::Number(_)) == (sort == SortKey::Name) {
        return None;
    }
    Some(Cursor {
        key,
        id: TokenId::parse(id)?,
    })
}

/// Why [`TokenQuery::parse`] refuses the parameter `key`'s value (or `key` itself).
fn refusal(key: &str) -> String {
    match key {
        "status" => "status must be active, expiring, revoked, expired or owner_disabled".into(),
        "q" => format!("q must be at most {MAX_SEARCH_CHARS} characters"),
        "owner" => "owner must be a user id (a UUID)".into(),
        "policy" => "policy must be beyond (the tokens beyond the organisation's lifetime policy)".into(),
        "sort" => "sort must be createdAt, name, lastUsedAt or expiresAt".into(),
        "order" => "order must be asc or desc".into(),
        "limit" => format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
        other => format!(
            "unknown query parameter \"{}\"; this list accepts status, q, owner, policy, sort, order, limit and cursor",
            shorten(other)
        ),
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(50).collect()
}

#[cfg(test)]
mod tests;
