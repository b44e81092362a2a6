//! Values bound as a statement is written: each value becomes the next placeholder, so a
//! guard, a rule from `shared::token_state` and an audit entry join one statement without
//! knowing each other's placeholder numbers. A text or number bound again reuses its
//! placeholder: a heartbeat's guard compares with the same instant, hash and roles several
//! times, and every value bound is one more conversion into JavaScript and into D1.

use shared::token_state::Bound;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

#[derive(Default)]
pub struct Values {
    bound: Vec<JsValue>,
    /// What each text or number bound so far was, by placeholder (`None` for a value of
    /// another kind, never reused).
    seen: Vec<Option<Seen>>,
}

#[derive(PartialEq)]
enum Seen {
    Null,
    Text(String),
    Number(i64),
}

impl Values {
    pub fn new() -> Self {
        Self::default()
    }

    /// Any value, as the next placeholder.
    pub fn value(&mut self, value: JsValue) -> String {
        self.push(value, None)
    }

    fn push(&mut self, value: JsValue, seen: Option<Seen>) -> String {
        self.bound.push(value);
        self.seen.push(seen);
        format!("?{}", self.bound.len())
    }

    /// The placeholder of `seen` if it is bound already, else `value` as the next.
    fn once(&mut self, seen: Seen, value: impl FnOnce() -> JsValue) -> String {
        match self.seen.iter().position(|s| s.as_ref() == Some(&seen)) {
            Some(at) => format!("?{}", at + 1),
            None => self.push(value(), Some(seen)),
        }
    }

    /// A text, or NULL.
    pub fn text(&mut self, text: Option<&str>) -> String {
        match text {
            Some(t) => self.once(Seen::Text(t.to_owned()), || JsValue::from(t)),
            None => self.once(Seen::Null, || JsValue::NULL),
        }
    }

    /// An id (`UserId`, `TokenId` …) as its text, or NULL.
    pub fn id(&mut self, id: Option<impl std::fmt::Display>) -> String {
        self.text(id.map(|id| id.to_string()).as_deref())
    }

    /// A whole number (D1 takes JavaScript numbers, exact up to 2^53).
    pub fn number(&mut self, n: i64) -> String {
        self.once(Seen::Number(n), || (n as f64).into())
    }

    /// What `shared::token_state`'s rules compare with.
    pub fn bound(&mut self, value: Bound<'_>) -> String {
        match value {
            Bound::Instant(ms) => self.number(ms),
            Bound::Text(text) => self.text(text),
        }
    }

    /// How many values are bound so far: the highest placeholder.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.bound.len()
    }

    /// The statement `sql`, written with these values' placeholders, bound to them.
    pub fn prepare(&self, db: &D1Database, sql: &str) -> worker::Result<D1PreparedStatement> {
        self.prepare_first(db, sql, self.bound.len())
    }

    /// `sql` bound to the first `n` values: D1 wants exactly as many values as a statement's
    /// highest placeholder, so one written with the first `n` only binds those.
    pub fn prepare_first(
        &self,
        db: &D1Database,
        sql: &str,
        n: usize,
    ) -> worker::Result<D1PreparedStatement> {
        db.prepare(sql).bind(&self.bound[..n.min(self.bound.len())])
    }
}
