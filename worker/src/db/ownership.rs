//! Handing the instance's ownership to another user: both roles change together, or neither.

use super::audit::{self, Actor, Entry, When};
use super::users::{by_id, UserRow, COLUMNS};
use shared::audit::{AuditAction, SubjectType};
use shared::roles::Role;
use shared::UserId;
use worker::{query, D1Database};

/// Why ownership did not move.
#[derive(Debug, PartialEq, Eq)]
pub enum TransferRefusal {
    /// The caller is not (or no longer) the enabled Owner.
    NotOwner,
    NotFound,
    /// The new Owner is disabled.
    Disabled,
}

/// Makes `to` the Owner and the Owner `from` an Administrator, in one transaction: a guard row
/// (see `bulk_guard`) fails the whole batch unless `from` is the enabled Owner and `to` an
/// enabled other user at that moment, and the one-Owner index holds at every step.
pub async fn transfer_ownership(
    db: &D1Database,
    from: UserId,
    to: UserId,
    now: i64,
    actor: &Actor,
) -> worker::Result<Result<(), TransferRefusal>> {
    let to_id = to.to_string();
    let entry = Entry::new(now, actor, AuditAction::OwnershipTransferred)
        .on(SubjectType::User, &to_id, None)
        .detail("the previous Owner is now an Administrator");
    let batch = vec![
        audit::append(db, &entry, When::Always)?,
        query!(
            db,
            "INSERT INTO bulk_guard (ok) SELECT \
             EXISTS (SELECT 1 FROM users WHERE id = ?1 AND role = ?3 AND disabled = 0) \
             AND EXISTS (SELECT 1 FROM users WHERE id = ?2 AND id != ?1 AND disabled = 0)",
            from,
            &to_id,
            Role::Owner.as_str()
        )?,
        query!(
            db,
            "UPDATE users SET role = ?2 WHERE id = ?1",
            from,
            Role::Administrator.as_str()
        )?,
        query!(
            db,
            "UPDATE users SET role = ?2 WHERE id = ?1",
            &to_id,
            Role::Owner.as_str()
        )?,
        query!(db, "DELETE FROM bulk_guard"),
    ];
    match db.batch(batch).await {
        Ok(_) => Ok(Ok(())),
        Err(e) if e.to_string().contains("CHECK constraint failed") => {
            let caller = query!(
                db,
                &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
                from
            )?
            .first::<UserRow>(None)
            .await?;
            if caller.is_none_or(|c| c.role != Role::Owner || c.disabled) {
                return Ok(Err(TransferRefusal::NotOwner));
            }
            Ok(Err(match by_id(db, to).await? {
                None => TransferRefusal::NotFound,
                Some(_) => TransferRefusal::Disabled,
            }))
        }
        Err(e) => Err(e),
    }
}
