-- The whole schema, in one place. Instants are Unix milliseconds (UTC); ids are UUIDs as text.
--
-- This file replaces the 18 migrations that built the schema step by step (0001_tokens.sql to
-- 0018_audit_actor_nocase.sql; git history has them, commit 104ff44 the last to carry them).
-- A new database gets all of it here. A database those 18 made already has every table, index,
-- trigger and row below, the same to the column: every statement says IF NOT EXISTS or OR
-- IGNORE, so there this file changes nothing and is merely recorded as applied. A database
-- that stopped before 0018 would be left half-made by that, so it is refused by the first
-- statement, naming what to do (README, "Upgrading a database").
--
-- Later changes are new files numbered from 0020: a number never names two files, whichever
-- of the two histories a database has.

CREATE TABLE IF NOT EXISTS schema_upgrade_guard (
    ok INTEGER NOT NULL CONSTRAINT "this database was made before migration 0018: apply the migrations of commit 104ff44 first (README, Upgrading a database)"
       CHECK (ok = 1)
) STRICT;
INSERT INTO schema_upgrade_guard (ok)
SELECT NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tokens')
    OR EXISTS (SELECT 1 FROM d1_migrations WHERE name = '0018_audit_actor_nocase.sql');
DROP TABLE schema_upgrade_guard;

-- People who sign in. Passwords are PBKDF2-HMAC-SHA256 (salt and iteration count beside the
-- hash). Usernames are unique regardless of ASCII case.
CREATE TABLE IF NOT EXISTS users (
    id                  TEXT    PRIMARY KEY NOT NULL,
    username            TEXT    NOT NULL COLLATE NOCASE,
    display_name        TEXT    NOT NULL,
    role                TEXT    NOT NULL CHECK (role IN ('owner', 'administrator', 'manager', 'viewer')),
    disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    password_hash       TEXT    NOT NULL,
    password_salt       TEXT    NOT NULL,
    password_iterations INTEGER NOT NULL,
    created_at          INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS users_username ON users (username);
-- Exactly one Owner (Telegraf Controller's rule): the database refuses a second one.
CREATE UNIQUE INDEX IF NOT EXISTS users_one_owner ON users (role) WHERE role = 'owner';

-- Browser sessions, stored only as the SHA-256 of the cookie value.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash    TEXT    PRIMARY KEY NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);

-- Sign-in throttling that cannot be used to lock anyone out (OWASP's device cookies): failures
-- are counted per username and client address, per known device, per username across
-- addresses (unknown browsers only) and per address; checks of one's own current password are
-- counted apart.
--
-- Sign-in attempts from browsers without a valid device cookie for the username. Each is
-- counted before its password is checked and a successful sign-in removes its pair's rows, so
-- what remains are failures. `address` is the throttles' address key (the /64 of an IPv6
-- address). Kept for the longest window, the hour of the per-username ceiling.
CREATE TABLE IF NOT EXISTS signin_failures (
    username TEXT    NOT NULL COLLATE NOCASE,
    address  TEXT    NOT NULL,
    at       INTEGER NOT NULL
) STRICT;
-- Per (username, address), and per username through the same prefix: a username holds at most
-- its ceiling's 50 rows within the hour, so no second index (and its write per row) is needed.
CREATE INDEX IF NOT EXISTS signin_failures_username ON signin_failures (username, address, at);
-- Per address, whatever the username.
CREATE INDEX IF NOT EXISTS signin_failures_address ON signin_failures (address, at);
-- Purged by age for every username at once.
CREATE INDEX IF NOT EXISTS signin_failures_at ON signin_failures (at);

-- Browsers that have signed in: the SHA-256 of a random 32-byte cookie value, bound to its
-- user. A sign-in that presents one for the username it names is counted per device instead.
CREATE TABLE IF NOT EXISTS devices (
    id_hash    TEXT    PRIMARY KEY NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS devices_user ON devices (user_id, created_at);

-- Sign-in attempts with a valid device cookie, per device; cleared like the pairs above.
CREATE TABLE IF NOT EXISTS device_failures (
    device TEXT    NOT NULL REFERENCES devices (id_hash) ON DELETE CASCADE,
    at     INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS device_failures_device ON device_failures (device, at);
CREATE INDEX IF NOT EXISTS device_failures_at ON device_failures (at);

-- Checks of the current password by `POST /api/auth/password`, per account.
CREATE TABLE IF NOT EXISTS password_check_failures (
    user_id TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at      INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS password_check_failures_user ON password_check_failures (user_id, at);
CREATE INDEX IF NOT EXISTS password_check_failures_at ON password_check_failures (at);

-- API tokens. Only the SHA-256 of a token string is stored, plus its last four characters for
-- the list's hint.
--
-- A token belongs to a user; deleting the user deletes their tokens. owner_id is NULL only for
-- the bootstrap token, which belongs to the instance. ceiling_role is the most a token may
-- ever act as: the role of the person who created it, whoever owns it later.
--
-- Rotation keeps the previous secret's hash beside the new one until the next rotation. It
-- authenticates while previous_until is in the future, and is refused as revoked after that;
-- the lookup finds either hash through its own unique index (one query, two index probes).
--
-- Who created or revoked a token is a reference, never a name (shared::actor): a kind, and a
-- user or token id that becomes NULL when that user or token is deleted, so a deleted token
-- leaves nothing behind in other tokens' records. A user named OWNER_TOKEN is a user.
--
-- A token may be limited to some configurations (config_scoped = 1, and its rows in
-- token_config_scope; a scope that becomes empty reads nothing, it never widens to all) and to
-- client addresses (allowed_addresses: a JSON array of CIDR blocks; NULL for any).
CREATE TABLE IF NOT EXISTS tokens (
    id                    TEXT    PRIMARY KEY NOT NULL,
    name                  TEXT    NOT NULL COLLATE NOCASE,
    token_hash            TEXT    NOT NULL,
    last4                 TEXT    NOT NULL,
    permissions           TEXT    NOT NULL,
    source                TEXT    NOT NULL CHECK (source IN ('user', 'preshared', 'bootstrap')),
    created_at            INTEGER NOT NULL,
    expires_at            INTEGER,
    revoked_at            INTEGER,
    last_used_at          INTEGER,
    last_used_ip          TEXT,
    last_used_agent       TEXT,
    owner_id              TEXT    REFERENCES users (id) ON DELETE CASCADE,
    ceiling_role          TEXT    NOT NULL DEFAULT 'viewer'
                          CHECK (ceiling_role IN ('owner', 'administrator', 'manager', 'viewer')),
    last_refused_at       INTEGER,
    previous_hash         TEXT,
    previous_until        INTEGER,
    previous_last_used_at INTEGER,
    rotated_at            INTEGER,
    created_by_kind       TEXT
                          CHECK (created_by_kind IN ('user', 'token', 'bootstrap_token', 'secret_scanning', 'system')),
    created_by_user       TEXT    REFERENCES users (id) ON DELETE SET NULL,
    created_by_token      TEXT    REFERENCES tokens (id) ON DELETE SET NULL,
    revoked_by_kind       TEXT
                          CHECK (revoked_by_kind IN ('user', 'token', 'bootstrap_token', 'secret_scanning', 'system')),
    revoked_by_user       TEXT    REFERENCES users (id) ON DELETE SET NULL,
    revoked_by_token      TEXT    REFERENCES tokens (id) ON DELETE SET NULL,
    config_scoped         INTEGER NOT NULL DEFAULT 0 CHECK (config_scoped IN (0, 1)),
    allowed_addresses     TEXT
) STRICT;
-- Indexes in the order the 18 migrations made them: SQLite's planner weighs indexes of equal
-- cost in that order, so a query plans here as it does on a database they made.
-- Names are unique regardless of ASCII case, so "CI" and "ci" cannot both exist.
CREATE UNIQUE INDEX IF NOT EXISTS tokens_name ON tokens (name);
-- Every agent request authenticates with one lookup through this index or tokens_previous_hash.
CREATE UNIQUE INDEX IF NOT EXISTS tokens_hash ON tokens (token_hash);
-- One index per sort key of the list, each ending in id for a stable keyset order. Nullable
-- keys are indexed through the same COALESCE the list query sorts by: never-used tokens sort as
-- the oldest use, tokens without expiry as expiring last (at the largest instant a JavaScript
-- Date holds, which a bound parameter carries exactly).
CREATE INDEX IF NOT EXISTS tokens_created ON tokens (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS tokens_owner ON tokens (owner_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS tokens_name_order ON tokens (name COLLATE NOCASE, id);
CREATE INDEX IF NOT EXISTS tokens_last_used_order ON tokens (COALESCE(last_used_at, -1), id);
CREATE INDEX IF NOT EXISTS tokens_expires_order ON tokens (COALESCE(expires_at, 8640000000000000), id);
CREATE UNIQUE INDEX IF NOT EXISTS tokens_previous_hash ON tokens (previous_hash) WHERE previous_hash IS NOT NULL;
-- "Expiring soon" reads active tokens by expiry.
CREATE INDEX IF NOT EXISTS tokens_expiring ON tokens (expires_at) WHERE expires_at IS NOT NULL AND revoked_at IS NULL;
-- Deleting a token or user nulls the references to it: each through an index, never a scan.
CREATE INDEX IF NOT EXISTS tokens_created_by_token ON tokens (created_by_token) WHERE created_by_token IS NOT NULL;
CREATE INDEX IF NOT EXISTS tokens_revoked_by_token ON tokens (revoked_by_token) WHERE revoked_by_token IS NOT NULL;
CREATE INDEX IF NOT EXISTS tokens_created_by_user ON tokens (created_by_user) WHERE created_by_user IS NOT NULL;
CREATE INDEX IF NOT EXISTS tokens_revoked_by_user ON tokens (revoked_by_user) WHERE revoked_by_user IS NOT NULL;
-- The hint ending ("…a1b2") is searched by equality.
CREATE INDEX IF NOT EXISTS tokens_last4 ON tokens (last4);
-- The Revoked filter reads the revoked tokens only, not every token to find none.
CREATE INDEX IF NOT EXISTS tokens_revoked ON tokens (revoked_at) WHERE revoked_at IS NOT NULL;

-- A token string is one credential, whichever column holds its hash. The unique indexes keep
-- token_hash unique among current secrets and previous_hash among previous ones; these
-- triggers keep the two apart, so a pre-shared value can never be another token's previous
-- secret (the agent lookup, `token_hash = ?1 OR previous_hash = ?1`, then always finds at most
-- one row, and a leak report always names the right token). The worker recognises the message
-- and answers 409 token_value_conflict. Only statements that set a secret fire the second.
CREATE TRIGGER IF NOT EXISTS tokens_one_value_on_insert BEFORE INSERT ON tokens
WHEN EXISTS (SELECT 1 FROM tokens WHERE previous_hash = NEW.token_hash)
BEGIN
    SELECT RAISE(ABORT, 'token_value_conflict: that string is a secret of another token');
END;
CREATE TRIGGER IF NOT EXISTS tokens_one_value_on_update BEFORE UPDATE OF token_hash, previous_hash ON tokens
WHEN EXISTS (SELECT 1 FROM tokens o WHERE o.id != NEW.id
             AND (o.previous_hash = NEW.token_hash OR o.token_hash = NEW.previous_hash))
BEGIN
    SELECT RAISE(ABORT, 'token_value_conflict: that string is a secret of another token');
END;

-- Search by part of a description, through an index of three-character pieces.
--
-- Why not FTS5: D1 has it, but `wrangler d1 export` refuses a database holding an FTS5 virtual
-- table, so backups would break; and FTS5's trigram tokenizer needs a query of three characters
-- or more anyway. An ordinary table kept by triggers exports like any other.
--
-- For every position of a token's lowercased name, the piece of (at most) three characters
-- starting there: "Web-1" gives "web", "eb-", "b-1", "-1" and "1". A text of three or more
-- characters occurs in a name only where all its three-character pieces do, so the tokens
-- holding its rarest piece are a superset of the matches (the search checks each with instr);
-- a text of one or two characters is the start of a piece wherever it occurs. lower() and
-- substr() here, in the search and in its check are SQLite's, so all three agree on what a
-- character and its lowercase are.
--
-- Positions 1 to 255 (a name's longest): triggers cannot use a recursive CTE.
CREATE TABLE IF NOT EXISTS search_positions (i INTEGER PRIMARY KEY);
INSERT OR IGNORE INTO search_positions (i)
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 255)
SELECT i FROM k;
-- Deleted by primary key, piece by piece: no second index on token_id to keep.
CREATE TABLE IF NOT EXISTS token_grams (
    gram     TEXT NOT NULL,
    token_id TEXT NOT NULL,
    PRIMARY KEY (gram, token_id)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS token_grams_insert AFTER INSERT ON tokens
BEGIN
    INSERT OR IGNORE INTO token_grams (gram, token_id)
    SELECT substr(lower(NEW.name), i, 3), NEW.id FROM search_positions WHERE i <= length(NEW.name);
END;
CREATE TRIGGER IF NOT EXISTS token_grams_delete AFTER DELETE ON tokens
BEGIN
    DELETE FROM token_grams WHERE token_id = OLD.id AND gram IN
        (SELECT substr(lower(OLD.name), i, 3) FROM search_positions WHERE i <= length(OLD.name));
END;
CREATE TRIGGER IF NOT EXISTS token_grams_rename AFTER UPDATE OF name ON tokens WHEN OLD.name IS NOT NEW.name
BEGIN
    DELETE FROM token_grams WHERE token_id = OLD.id AND gram IN
        (SELECT substr(lower(OLD.name), i, 3) FROM search_positions WHERE i <= length(OLD.name));
    INSERT OR IGNORE INTO token_grams (gram, token_id)
    SELECT substr(lower(NEW.name), i, 3), NEW.id FROM search_positions WHERE i <= length(NEW.name);
END;

-- Totals without counting: how many tokens there are, in all ('*') and per owner (the owner's
-- id; '' for a token without one). Filtered lists count up to a cap instead. A deleted user's
-- tokens go with it (ON DELETE CASCADE, each counted down), and so does the user's counter.
CREATE TABLE IF NOT EXISTS token_counts (
    scope TEXT PRIMARY KEY,
    n     INTEGER NOT NULL CHECK (n >= 0)
) WITHOUT ROWID;
INSERT OR IGNORE INTO token_counts (scope, n) VALUES ('*', 0);
CREATE TRIGGER IF NOT EXISTS token_counts_insert AFTER INSERT ON tokens
BEGIN
    INSERT INTO token_counts (scope, n) VALUES ('*', 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
    INSERT INTO token_counts (scope, n) VALUES (COALESCE(NEW.owner_id, ''), 1)
        ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS token_counts_delete AFTER DELETE ON tokens
BEGIN
    UPDATE token_counts SET n = n - 1 WHERE scope IN ('*', COALESCE(OLD.owner_id, ''));
END;
CREATE TRIGGER IF NOT EXISTS token_counts_reassign AFTER UPDATE OF owner_id ON tokens
WHEN OLD.owner_id IS NOT NEW.owner_id
BEGIN
    UPDATE token_counts SET n = n - 1 WHERE scope = COALESCE(OLD.owner_id, '');
    INSERT INTO token_counts (scope, n) VALUES (COALESCE(NEW.owner_id, ''), 1)
        ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS token_counts_user_deleted AFTER DELETE ON users
BEGIN
    DELETE FROM token_counts WHERE scope = OLD.id;
END;

-- Per-token history, newest first. Deleting a token deletes its history (SPEC 3): no row
-- anywhere still names a deleted token's id. Agent events (first use, usage, refusals) keep
-- the client address they came from; every other event names its actor by reference.
CREATE TABLE IF NOT EXISTS token_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token_id    TEXT    NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL
                CHECK (kind IN ('created', 'revoked', 'reassigned', 'first_use', 'usage', 'refused',
                                'rotated', 'expiry_notice', 'scope_changed')),
    address     TEXT,
    detail      TEXT,
    actor_kind  TEXT
                CHECK (actor_kind IN ('user', 'token', 'bootstrap_token', 'secret_scanning', 'system')),
    actor_user  TEXT REFERENCES users (id) ON DELETE SET NULL,
    actor_token TEXT REFERENCES tokens (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX IF NOT EXISTS token_events_token ON token_events (token_id, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS token_events_actor_token ON token_events (actor_token) WHERE actor_token IS NOT NULL;
CREATE INDEX IF NOT EXISTS token_events_actor_user ON token_events (actor_user) WHERE actor_user IS NOT NULL;

-- A bulk operation first inserts (number of matching tokens = number requested) here inside
-- its batch; a false value violates the CHECK and D1 rolls the whole batch back.
CREATE TABLE IF NOT EXISTS bulk_guard (
    ok INTEGER NOT NULL CHECK (ok = 1)
) STRICT;

-- Telegraf configurations agents fetch as TOML.
CREATE TABLE IF NOT EXISTS configs (
    id         TEXT    PRIMARY KEY NOT NULL,
    name       TEXT    NOT NULL COLLATE NOCASE,
    toml       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS configs_name ON configs (name);

-- The configurations a scoped token may read. Deleting a configuration deletes its rows.
CREATE TABLE IF NOT EXISTS token_config_scope (
    token_id  TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    config_id TEXT NOT NULL REFERENCES configs (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, config_id)
) STRICT, WITHOUT ROWID;
-- How many tokens may read a configuration, and the rows a configuration's deletion removes.
CREATE INDEX IF NOT EXISTS token_config_scope_by_config ON token_config_scope (config_id);

-- The agents that report heartbeats: one row per agent, keyed within its owner (the token's
-- owner at the time of the heartbeat; '' for the bootstrap token), overwritten by each
-- heartbeat. interval_ms is the gap between its last two heartbeats, refused_at when one was
-- last refused. token_id is cleared when that token is deleted.
--
-- A recorded heartbeat writes one row: D1 bills every index entry a write touches as a row
-- written, so last_seen (which every heartbeat moves) is in no index; the fleet page sorts by
-- it in one scan of the caller's agents. Agents are found by token (recent agents, refusals,
-- the deletion that clears it), and a heartbeat that keeps its token leaves that entry alone.
CREATE TABLE IF NOT EXISTS agents (
    owner_key      TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    hostname       TEXT,
    version        TEXT    NOT NULL,
    status         TEXT,
    metrics        INTEGER,
    configurations TEXT    NOT NULL DEFAULT '[]',
    last_seen      INTEGER NOT NULL,
    token_id       TEXT    REFERENCES tokens (id) ON DELETE SET NULL,
    ip             TEXT,
    interval_ms    INTEGER,
    refused_at     INTEGER,
    PRIMARY KEY (owner_key, id)
) STRICT;
CREATE INDEX IF NOT EXISTS agents_by_token ON agents (token_id);

-- Invalid token presentations per client address in the current one-minute window.
CREATE TABLE IF NOT EXISTS token_failures (
    address      TEXT    PRIMARY KEY NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL
) STRICT;

-- The organisation's token lifetime policy, one row that the Owner sets. max_lifetime_days
-- NULL: no maximum; require_expiry 1: every new token must expire (always with a maximum). New
-- tokens and rotations are checked against it; existing tokens beyond it are marked and
-- filtered on (shared::token_policy), never changed.
CREATE TABLE IF NOT EXISTS token_policy (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    max_lifetime_days INTEGER CHECK (max_lifetime_days IS NULL
                                     OR max_lifetime_days BETWEEN 1 AND 36525),
    require_expiry    INTEGER NOT NULL DEFAULT 0 CHECK (require_expiry IN (0, 1)),
    updated_at        INTEGER
) STRICT;
INSERT OR IGNORE INTO token_policy (id, max_lifetime_days, require_expiry, updated_at) VALUES (1, NULL, 0, NULL);

-- The audit log: every change a person or a token makes, appended in the same batch as the
-- change itself (so one commits only with the other), and chained: each entry's hash covers
-- the previous entry's hash and its own content (an HMAC-SHA-256 under AUDIT_KEY when set;
-- key_id says which key). The chain is computed by the worker right after the change (D1 has
-- no SHA-256 in SQL); `hash IS NULL` marks the entries not yet sealed.
--
-- Token references are redactable: when a token is deleted, its id and name vanish from every
-- entry (the trigger below), with the nonce that made their digest unguessable. The chain
-- covers the digest, not the name, so a redaction leaves the chain intact and the log still
-- holds no record of the deleted token (SPEC 3). Entries made before the actor's kind, the
-- outcome, the address or the user agent were recorded have NULL there and verify as they were
-- sealed; an entry without an outcome is a success.
CREATE TABLE IF NOT EXISTS audit_log (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    at               INTEGER NOT NULL,
    actor            TEXT    NOT NULL,
    actor_token_id   TEXT,
    actor_token_name TEXT,
    actor_nonce      TEXT,
    action           TEXT    NOT NULL CHECK (action IN (
        'token_created', 'token_revoked', 'token_reassigned', 'token_rotated', 'token_deleted',
        'token_scope_changed', 'token_policy_changed',
        'user_created', 'user_updated', 'role_changed', 'user_disabled', 'user_enabled',
        'user_deleted', 'ownership_transferred', 'password_changed', 'password_reset',
        'config_created', 'config_updated', 'config_deleted')),
    subject_type     TEXT    CHECK (subject_type IN ('token', 'user', 'config', 'settings')),
    subject_id       TEXT,
    subject_name     TEXT,
    subject_nonce    TEXT,
    count            INTEGER NOT NULL DEFAULT 1,
    detail           TEXT,
    actor_digest     TEXT,
    subject_digest   TEXT,
    prev_hash        TEXT,
    hash             TEXT,
    actor_kind       TEXT
        CHECK (actor_kind IN ('user', 'token', 'bootstrap_token', 'secret_scanning', 'system')),
    outcome          TEXT    CHECK (outcome IN ('success', 'denied', 'failure')),
    client_ip        TEXT,
    user_agent       TEXT,
    key_id           TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_log (actor, seq DESC);
CREATE INDEX IF NOT EXISTS audit_by_action ON audit_log (action, seq DESC);
CREATE INDEX IF NOT EXISTS audit_unsealed ON audit_log (seq) WHERE hash IS NULL;
CREATE INDEX IF NOT EXISTS audit_token_subject ON audit_log (subject_id) WHERE subject_type = 'token';
CREATE INDEX IF NOT EXISTS audit_token_actor ON audit_log (actor_token_id) WHERE actor_token_id IS NOT NULL;
-- The Audit page's filters by outcome (an entry without one is a success) and kind.
CREATE INDEX IF NOT EXISTS audit_log_outcome ON audit_log (COALESCE(outcome, 'success'), seq);
CREATE INDEX IF NOT EXISTS audit_log_kind ON audit_log (actor_kind, seq);
-- And by who acted without regard to case (`actor = ? COLLATE NOCASE`), which audit_by_actor
-- (binary collation) cannot serve.
CREATE INDEX IF NOT EXISTS audit_by_actor_nocase ON audit_log (actor COLLATE NOCASE, seq);

-- Deleting a token (directly, in bulk, or with its owner) forgets it in the log.
CREATE TRIGGER IF NOT EXISTS audit_forget_token AFTER DELETE ON tokens BEGIN
    UPDATE audit_log SET subject_id = NULL, subject_name = NULL, subject_nonce = NULL
    WHERE subject_type = 'token' AND subject_id = OLD.id;
    UPDATE audit_log SET actor_token_id = NULL, actor_token_name = NULL, actor_nonce = NULL
    WHERE actor_token_id = OLD.id;
END;

-- Entries are never changed or removed, except by the redaction above and the sealing of
-- their hash (and key id): the database refuses anything else, whatever code asks.
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be deleted');
END;
CREATE TRIGGER IF NOT EXISTS audit_append_only BEFORE UPDATE ON audit_log
WHEN NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at OR NEW.actor IS NOT OLD.actor
  OR NEW.actor_kind IS NOT OLD.actor_kind
  OR NEW.action IS NOT OLD.action OR NEW.subject_type IS NOT OLD.subject_type
  OR NEW.count IS NOT OLD.count OR NEW.detail IS NOT OLD.detail
  OR NEW.outcome IS NOT OLD.outcome OR NEW.client_ip IS NOT OLD.client_ip
  OR NEW.user_agent IS NOT OLD.user_agent
  OR (OLD.hash IS NOT NULL AND (NEW.hash IS NOT OLD.hash OR NEW.prev_hash IS NOT OLD.prev_hash
      OR NEW.actor_digest IS NOT OLD.actor_digest OR NEW.subject_digest IS NOT OLD.subject_digest
      OR NEW.key_id IS NOT OLD.key_id))
  OR (NEW.subject_id IS NOT NULL AND NEW.subject_id IS NOT OLD.subject_id)
  OR (NEW.subject_name IS NOT NULL AND NEW.subject_name IS NOT OLD.subject_name)
  OR (NEW.actor_token_id IS NOT NULL AND NEW.actor_token_id IS NOT OLD.actor_token_id)
  OR (NEW.actor_token_name IS NOT NULL AND NEW.actor_token_name IS NOT OLD.actor_token_name)
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be changed');
END;

-- A loop of refused attempts writes one `denied` entry a minute per actor and route: the first
-- of each minute is written, the rest counted here, and the next entry says how many.
CREATE TABLE IF NOT EXISTS audit_denials (
    actor_key    TEXT    NOT NULL,
    route        TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    suppressed   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (actor_key, route)
) STRICT, WITHOUT ROWID;

-- Audit entries forwarded to AUDIT_WEBHOOK_URL through Cloudflare Queues. One row of delivery
-- state: up to which seq entries were handed to the queue, how many the receiver took, how
-- many ended in the dead-letter queue, the failures in a row (the back-off), and the last
-- delivery and error, which the Audit page shows.
CREATE TABLE IF NOT EXISTS audit_forwarding (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    enqueued_upto     INTEGER NOT NULL DEFAULT 0,
    delivered         INTEGER NOT NULL DEFAULT 0,
    dead              INTEGER NOT NULL DEFAULT 0,
    failures          INTEGER NOT NULL DEFAULT 0,
    last_delivered_at INTEGER,
    last_error        TEXT
) STRICT;
INSERT OR IGNORE INTO audit_forwarding (id) VALUES (1);
