//! The columns a token row is read with, and from where: one list for every read, so a
//! `TokenRow` always finds what it decodes.

/// Every column of a token row that authentication reads, with its owner's (a macro, so
/// `concat!` can join it). A token scoped to configurations brings their ids (one probe of
/// its own index rows); an unscoped one reads nothing more.
macro_rules! auth_columns {
    () => {
        "SELECT t.id AS id, t.name AS name, t.last4 AS last4, t.permissions AS permissions, \
         t.source AS source, t.created_at AS created_at, t.expires_at AS expires_at, \
         t.revoked_at AS revoked_at, t.last_used_at AS last_used_at, t.last_used_ip AS last_used_ip, \
         t.last_used_agent AS last_used_agent, t.owner_id AS owner_id, u.display_name AS owner_name, \
         u.role AS owner_role, \
         COALESCE(u.disabled, 0) AS owner_disabled, t.ceiling_role AS ceiling_role, \
         u.username AS owner_username, t.last_refused_at AS last_refused_at, \
         t.rotated_at AS rotated_at, t.previous_until AS previous_until, \
         t.previous_last_used_at AS previous_last_used_at, \
         t.allowed_addresses AS allowed_addresses, \
         CASE WHEN t.config_scoped = 1 THEN (SELECT json_group_array(s.config_id) \
           FROM token_config_scope s WHERE s.token_id = t.id) END AS config_scope"
    };
}

/// Every column of a token row as a person sees it: the authentication columns, and who
/// created and revoked it, by reference with the names those references have now (a token or
/// user deleted since has none: `shared::actor::describe` says so), and the organisation's
/// lifetime policy, which the token's standing is judged by. Only pages pay for these
/// lookups; the agent's lookup by hash reads none of them.
macro_rules! page_columns {
    () => {
        concat!(
            auth_columns!(),
            ", t.created_by_kind AS created_by_kind, \
             (SELECT cu.username FROM users cu WHERE cu.id = t.created_by_user) AS created_by_user_name, \
             (SELECT ct.name FROM tokens ct WHERE ct.id = t.created_by_token) AS created_by_token_name, \
             t.revoked_by_kind AS revoked_by_kind, \
             (SELECT ru.username FROM users ru WHERE ru.id = t.revoked_by_user) AS revoked_by_user_name, \
             (SELECT rt.name FROM tokens rt WHERE rt.id = t.revoked_by_token) AS revoked_by_token_name, \
             (SELECT p.max_lifetime_days FROM token_policy p) AS policy_max_days, \
             (SELECT p.require_expiry FROM token_policy p) AS policy_require_expiry"
        )
    };
}

/// The tokens with their owners.
macro_rules! tokens_from {
    () => {
        "FROM tokens t LEFT JOIN users u ON u.id = t.owner_id"
    };
}

pub const PAGE_COLUMNS: &str = page_columns!();
pub const FROM: &str = tokens_from!();
/// The token with its owner.
pub const SELECT: &str = concat!(page_columns!(), " ", tokens_from!());
/// The token whose current or previous secret has the hash bound as `?1`, with its owner and
/// which of the two secrets matched: one query, one probe of each hash's unique index.
pub const SELECT_BY_HASH: &str = concat!(
    auth_columns!(),
    ", t.token_hash != ?1 AS via_previous ",
    tokens_from!(),
    " WHERE t.token_hash = ?1 OR t.previous_hash = ?1"
);
