//! Values bound as a statement is written: each value becomes the next placeholder, so a
//! guard, a rule from `shared::token_state` and an audit entry join one statement without
//! knowing each other's placeholder numbers.

use shared::token_state::Bound;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

#[derive(Default)]
pub struct Values(Vec<JsValue>);

impl Values {
    pub fn new() -> Self {
        Self::default()
    }

    /// Any value, as the next placeholder.
    pub fn value(&mut self, value: JsValue) -> String {
        self.0.push(value);
        format!("?{}", self.0.len())
    }

    /// A text, or NULL.
    pub fn text(&mut self, text: Option<&str>) -> String {
        self.value(text.map_or(JsValue::NULL, JsValue::from))
    }

    /// An id (`UserId`, `TokenId` …) as its text, or NULL.
    pub fn id(&mut self, id: Option<impl std::fmt::Display>) -> String {
        self.value(id.map_or(JsValue::NULL, |id| JsValue::from(id.to_string())))
    }

    /// A whole number (D1 takes JavaScript numbers, exact up to 2^53).
    pub fn number(&mut self, n: i64) -> String {
        self.value((n as f64).into())
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
        self.0.len()
    }

    /// The statement `sql`, written with these values' placeholders, bound to them.
    pub fn prepare(&self, db: &D1Database, sql: &str) -> worker::Result<D1PreparedStatement> {
        self.prepare_first(db, sql, self.0.len())
    }

    /// `sql` bound to the first `n` values: D1 wants exactly as many values as a statement's
    /// highest placeholder, so one written with the first `n` only binds those.
    pub fn prepare_first(
        &self,
        db: &D1Database,
        sql: &str,
        n: usize,
    ) -> worker::Result<D1PreparedStatement> {
        db.prepare(sql).bind(&self.0[..n.min(self.0.len())])
    }
}
