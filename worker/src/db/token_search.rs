//! The token search's plan: how common the text's pieces are decides between index lookups
//! and a walk of the list in its order.

use super::rows_read;
use super::statement::Values;
use serde::Deserialize;
use shared::listing::COUNT_CAP;
use shared::token::hint_suffix;
use worker::D1Database;

/// A text search (`q`): what people type is part of the description or of the owner's name,
/// or the last four characters the hint shows (alone, or as the whole hint). The description
/// is found through the index of its three-character pieces (`token_grams`).
///
/// The plan is chosen from how common the text's pieces are, asked first (one short
/// statement, at most 8,008 index entries): when its rarest piece is in at most `COUNT_CAP`
/// descriptions, the union of three index lookups (those descriptions, the hint, the owners'
/// tokens), sorted; when every piece is more common than that (say "seed" among 100,000
/// "seed …" tokens), the list is walked in its order and each token checked, which for a
/// common text fills the page soon, and which stops after `SEARCH_WINDOW` tokens in any case
/// (the answer then says there is more to search, and where to go on).
pub struct Search {
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
    pub async fn plan(
        db: &D1Database,
        text: &str,
        params: &mut Values,
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
            }) => Plan::Piece(params.text(Some(&gram))),
            _ => Plan::Prefix,
        };
        let search = Search {
            text: params.text(Some(text)),
            last4: params.text(hint_suffix(text).as_deref()),
            plan,
        };
        Ok((search, read))
    }

    /// The condition a row must meet, phrased so SQLite looks each part up by index unless
    /// the plan walks.
    pub fn condition(&self) -> String {
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

    pub fn walks(&self) -> bool {
        matches!(self.plan, Plan::Walk)
    }
}
