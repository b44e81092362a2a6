//! The `audit_log` table: entries appended in the same batch as the change they record,
//! sealed into the hash chain right after, read newest first, and verified end to end. The
//! chain's rules are `shared::audit`; this file only moves rows.

use super::statement::Values;
use serde::Deserialize;
use shared::actor::{ActorKind, ActorRef};
use shared::audit::{AuditAction, AuditQuery, Outcome, StoredEntry, SubjectType};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

mod seal;
pub use seal::{keys, seal, seal_with};

/// Who acted: the reference every record but the audit log stores (`shared::actor`), and
/// what the audit log's chain covers besides (the name at the time, and the token's).
#[derive(Debug, Clone)]
pub struct Actor {
    pub by: ActorRef,
    /// The username (a token's owner's), `OWNER_TOKEN`, or the part of the system that acted.
    pub name: String,
    /// The API token that acted: its id and description.
    pub token: Option<(String, String)>,
    /// Where the request came from, when one did (cleaned: `shared::audit::clean_*`).
    pub origin: Option<Origin>,
}

/// A request's client address and user agent, as an entry keeps them.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Actor {
    /// A part of the system, named as the audit log shows it.
    pub fn system(kind: ActorKind, name: &str) -> Self {
        Self {
            by: ActorRef::of_kind(kind),
            name: name.to_owned(),
            token: None,
            origin: None,
        }
    }

    /// The reference's three columns (kind, user id, token id), bound into `v`, as a list
    /// of three placeholders.
    pub fn bind(&self, v: &mut Values) -> String {
        [
            v.text(Some(self.by.kind.as_str())),
            v.text(self.by.user_text().as_deref()),
            v.text(self.by.token_text().as_deref()),
        ]
        .join(", ")
    }

    /// The reference's three columns (kind, user id, token id), bound in this order.
    pub fn columns(&self) -> [JsValue; 3] {
        let text = |v: Option<String>| v.map_or(JsValue::NULL, JsValue::from);
        [
            self.by.kind.as_str().into(),
            text(self.by.user_text()),
            text(self.by.token_text()),
        ]
    }
}

/// One entry to append.
pub struct Entry<'a> {
    pub at: i64,
    pub actor: &'a Actor,
    pub action: AuditAction,
    /// What it acted on: its type, id, and name (`None`: read from the table by id, as it is
    /// in the same batch, before the change).
    pub subject: Option<(SubjectType, &'a str, Option<&'a str>)>,
    pub count: i64,
    pub detail: Option<&'a str>,
    pub outcome: Outcome,
}

impl<'a> Entry<'a> {
    pub fn new(at: i64, actor: &'a Actor, action: AuditAction) -> Self {
        Self {
            at,
            actor,
            action,
            subject: None,
            count: 1,
            detail: None,
            outcome: Outcome::Success,
        }
    }

    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn on(mut self, kind: SubjectType, id: &'a str, name: Option<&'a str>) -> Self {
        self.subject = Some((kind, id, name));
        self
    }

    pub fn count(mut self, count: i64) -> Self {
        self.count = count;
        self
    }

    pub fn detail(mut self, detail: &'a str) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// When an entry is written, within the batch of the change it records: exactly when the
/// change is.
pub enum When<'w> {
    /// Always: the batch fails as a whole otherwise.
    Always,
    /// When the statement just before it changed rows.
    Changed,
    /// When the caller's condition holds, written with the entry's own statement's values.
    Holds(Box<dyn FnOnce(&mut Values) -> String + 'w>),
}

impl<'w> When<'w> {
    pub fn holds(condition: impl FnOnce(&mut Values) -> String + 'w) -> Self {
        Self::Holds(Box::new(condition))
    }
}

/// The statement that appends `e`, for the batch of the change it records, written `when`
/// the change is.
pub fn append(
    db: &D1Database,
    e: &Entry<'_>,
    when: When<'_>,
) -> worker::Result<D1PreparedStatement> {
    let (subject_type, subject_id, subject_name) = match e.subject {
        Some((kind, id, name)) => (Some(kind.as_str()), Some(id), name),
        None => (None, None, None),
    };
    let (token_id, token_name) = match &e.actor.token {
        Some((id, name)) => (Some(id.as_str()), Some(name.as_str())),
        None => (None, None),
    };
    let mut v = Values::new();
    let at = v.number(e.at);
    let actor = v.text(Some(&e.actor.name));
    let kind = v.text(Some(e.actor.by.kind.as_str()));
    let (token_id, token_name) = (v.text(token_id), v.text(token_name));
    let action = v.text(Some(e.action.as_str()));
    let (subject_type, subject_id) = (v.text(subject_type), v.text(subject_id));
    let subject_name = v.text(subject_name);
    let (count, detail) = (v.number(e.count), v.text(e.detail));
    let origin = e.actor.origin.clone().unwrap_or_default();
    let outcome = v.text(Some(e.outcome.as_str()));
    let (ip, agent) = (
        v.text(origin.ip.as_deref()),
        v.text(origin.user_agent.as_deref()),
    );
    // The subject's name at the time, read by id from its table when not given.
    let names: Vec<String> = [
        (SubjectType::Token, "SELECT name FROM tokens"),
        (SubjectType::User, "SELECT username FROM users"),
        (SubjectType::Config, "SELECT name FROM configs"),
    ]
    .iter()
    .map(|(kind, read)| {
        format!(
            "WHEN {} THEN ({read} WHERE id = {subject_id})",
            v.text(Some(kind.as_str()))
        )
    })
    .collect();
    let when = match when {
        When::Always => "1".to_owned(),
        When::Changed => "changes() > 0".to_owned(),
        When::Holds(condition) => condition(&mut v),
    };
    // A fresh random nonce per reference, from SQLite's own CSPRNG.
    let sql = format!(
        "INSERT INTO audit_log (at, actor, actor_kind, actor_token_id, actor_token_name, actor_nonce, action, \
         subject_type, subject_id, subject_name, subject_nonce, count, detail, outcome, client_ip, user_agent) \
         SELECT {at}, {actor}, {kind}, {token_id}, {token_name}, \
         CASE WHEN {token_id} IS NULL THEN NULL ELSE lower(hex(randomblob(16))) END, \
         {action}, {subject_type}, {subject_id}, COALESCE({subject_name}, CASE {subject_type} {} END), \
         CASE WHEN {subject_id} IS NULL THEN NULL ELSE lower(hex(randomblob(16))) END, {count}, {detail}, \
         {outcome}, {ip}, {agent} \
         WHERE {when}",
        names.join(" ")
    );
    v.prepare(db, &sql)
}

const COLUMNS: &str =
    "seq, at, actor, actor_kind, actor_token_id, actor_token_name, actor_nonce, action, \
    subject_type, subject_id, subject_name, subject_nonce, count, detail, actor_digest, \
    subject_digest, prev_hash, hash, outcome, client_ip, user_agent, key_id";

/// The stored outcome as the API reads it: an entry written before outcomes were recorded
/// has none, and was a success. The same expression as the index `audit_log_outcome`,
/// which SQLite uses only for this very expression.
pub fn outcome_sql() -> String {
    format!("COALESCE(outcome, '{}')", Outcome::Success.as_str())
}

/// One page, newest first, after the cursor (older than `before`); one more row than the limit
/// tells whether another page exists. Only the filters asked for are written, each as its index
/// takes it (who: `audit_by_actor_nocase`, what: `audit_by_action`, outcome:
/// `audit_log_outcome`, kind: `audit_log_kind`), so a rare one (the denied entries) reads its
/// matches through the index, not the log newest first until a page fills.
pub async fn list(db: &D1Database, q: &AuditQuery) -> worker::Result<(Vec<StoredEntry>, usize)> {
    let mut v = Values::new();
    let mut conditions = Vec::new();
    if let Some(actor) = q.actor.as_deref() {
        conditions.push(format!("actor = {} COLLATE NOCASE", v.text(Some(actor))));
    }
    if let Some(action) = q.action {
        conditions.push(format!("action = {}", v.text(Some(action.as_str()))));
    }
    if let Some(outcome) = q.outcome {
        conditions.push(format!(
            "{} = {}",
            outcome_sql(),
            v.text(Some(outcome.as_str()))
        ));
    }
    if let Some(kind) = q.kind {
        conditions.push(format!("actor_kind = {}", v.text(Some(kind.as_str()))));
    }
    if let Some(before) = q.before {
        conditions.push(format!("seq < {}", v.number(before)));
    }
    let filter = match conditions.is_empty() {
        true => String::new(),
        false => format!("WHERE {}", conditions.join(" AND ")),
    };
    let limit = v.number(i64::from(q.limit) + 1);
    let answer = v
        .prepare(
            db,
            &format!("SELECT {COLUMNS} FROM audit_log {filter} ORDER BY seq DESC LIMIT {limit}"),
        )?
        .all()
        .await?;
    Ok((answer.results()?, super::rows_read(&answer)))
}

/// The entries with these `seq`s, in one statement.
pub async fn by_seq(db: &D1Database, seqs: &[i64]) -> worker::Result<Vec<StoredEntry>> {
    let list = serde_json::to_string(seqs)?;
    db.prepare(format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq IN (SELECT value FROM json_each(?1)) ORDER BY seq"
    ))
    .bind(&[list.into()])?
    .all()
    .await?
    .results()
}

/// The newest sealed entry's `seq` (0 when none): verification checks the chain up to it, so
/// an entry appended while it runs (not sealed yet) is not mistaken for a break.
pub async fn sealed_head(db: &D1Database) -> worker::Result<i64> {
    #[derive(Deserialize)]
    struct Head {
        seq: Option<i64>,
    }
    let head: Option<Head> = db
        .prepare("SELECT MAX(seq) AS seq FROM audit_log WHERE hash IS NOT NULL")
        .first(None)
        .await?;
    Ok(head.and_then(|h| h.seq).unwrap_or(0))
}

/// The entries with `seq` above `after` and up to `upto`, oldest first, a chunk at a time
/// (verification reads the whole log).
/// Whether the entry `seq` is keyed: a verification that goes on after it then holds every
/// later entry to a key (an earlier part checked that none before it broke the rule).
pub async fn keyed_at(db: &D1Database, seq: i64) -> worker::Result<bool> {
    #[derive(Deserialize)]
    struct Keyed {
        keyed: i64,
    }
    Ok(db
        .prepare("SELECT key_id IS NOT NULL AS keyed FROM audit_log WHERE seq = ?1")
        .bind(&[(seq as f64).into()])?
        .first::<Keyed>(None)
        .await?
        .is_some_and(|k| k.keyed == 1))
}

pub async fn chunk(
    db: &D1Database,
    after: i64,
    upto: i64,
    limit: u32,
) -> worker::Result<Vec<StoredEntry>> {
    db.prepare(format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3"
    ))
    .bind(&[
        (after as f64).into(),
        (upto as f64).into(),
        f64::from(limit).into(),
    ])?
    .all()
    .await?
    .results()
}
