//! The organisation's token lifetime policy: the one row of `token_policy`.

use super::audit::{self, Actor, Entry, When};
use super::statement::Values;
use serde::Deserialize;
use shared::audit::{AuditAction, SubjectType};
use shared::token_policy::TokenPolicy;
use worker::D1Database;

/// The policy as stored, and when the Owner last set it.
pub struct Stored {
    pub policy: TokenPolicy,
    pub updated_at: Option<i64>,
}

#[derive(Deserialize)]
struct Row {
    max_lifetime_days: Option<u32>,
    #[serde(deserialize_with = "super::flag")]
    require_expiry: bool,
    updated_at: Option<i64>,
}

/// The policy (no limit if the row were ever missing: the schema writes it).
pub async fn get(db: &D1Database) -> worker::Result<Stored> {
    let row: Option<Row> = db
        .prepare(
            "SELECT max_lifetime_days, require_expiry, updated_at FROM token_policy WHERE id = 1",
        )
        .first(None)
        .await?;
    Ok(row.map_or(
        Stored {
            policy: TokenPolicy::default(),
            updated_at: None,
        },
        |r| Stored {
            policy: TokenPolicy {
                max_lifetime_days: r.max_lifetime_days,
                require_expiry: r.require_expiry,
            },
            updated_at: r.updated_at,
        },
    ))
}

/// Sets the policy, with its audit entry naming before and after, in one transaction. The
/// entry is written only when the row changed.
pub async fn set(
    db: &D1Database,
    policy: &TokenPolicy,
    detail: &str,
    now: i64,
    actor: &Actor,
) -> worker::Result<()> {
    let mut v = Values::new();
    let days = v.value(
        policy
            .max_lifetime_days
            .map_or(wasm_bindgen::JsValue::NULL, |d| {
                wasm_bindgen::JsValue::from(d)
            }),
    );
    let require = v.number(i64::from(policy.require_expiry));
    let at = v.number(now);
    let update = v.prepare(
        db,
        &format!(
            "INSERT INTO token_policy (id, max_lifetime_days, require_expiry, updated_at) \
             VALUES (1, {days}, {require}, {at}) \
             ON CONFLICT (id) DO UPDATE SET max_lifetime_days = excluded.max_lifetime_days, \
             require_expiry = excluded.require_expiry, updated_at = excluded.updated_at"
        ),
    )?;
    let entry = Entry::new(now, actor, AuditAction::TokenPolicyChanged)
        .on(
            SubjectType::Settings,
            "token-policy",
            Some("token lifetime policy"),
        )
        .detail(detail);
    db.batch(vec![update, audit::append(db, &entry, When::Changed)?])
        .await?;
    Ok(())
}
