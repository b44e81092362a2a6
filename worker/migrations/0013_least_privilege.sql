-- Issue 22: least privilege for agents' tokens.

-- A token may be limited to some configurations: config_scoped = 1, and one row per
-- configuration it may read. Deleting a configuration deletes its rows, and the token stays
-- scoped: a token whose scope becomes empty reads nothing, it never widens to all.
ALTER TABLE tokens ADD COLUMN config_scoped INTEGER NOT NULL DEFAULT 0
    CHECK (config_scoped IN (0, 1));
CREATE TABLE token_config_scope (
    token_id  TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    config_id TEXT NOT NULL REFERENCES configs (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, config_id)
) STRICT, WITHOUT ROWID;
-- How many tokens may read a configuration, and the rows a configuration's deletion removes.
CREATE INDEX token_config_scope_by_config ON token_config_scope (config_id);

-- A token may be limited to client addresses: a JSON array of CIDR blocks; NULL for any.
ALTER TABLE tokens ADD COLUMN allowed_addresses TEXT;

-- History gains 'scope_changed' (configurations or addresses, before and after in its
-- detail); SQLite changes a CHECK only by rebuilding the table.
CREATE TABLE token_events_new (
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
INSERT INTO token_events_new (id, token_id, at, kind, address, detail, actor_kind, actor_user, actor_token)
SELECT id, token_id, at, kind, address, detail, actor_kind, actor_user, actor_token FROM token_events;
DROP TABLE token_events;
ALTER TABLE token_events_new RENAME TO token_events;
CREATE INDEX token_events_token ON token_events (token_id, at DESC, id DESC);
CREATE INDEX token_events_actor_token ON token_events (actor_token) WHERE actor_token IS NOT NULL;
CREATE INDEX token_events_actor_user ON token_events (actor_user) WHERE actor_user IS NOT NULL;

-- The audit log gains 'token_scope_changed' and 'token_policy_changed' (a 'settings' subject).
-- Rebuilt with every entry as it is: the hash chain covers the values, not the table.
-- (DROP TABLE's implicit delete fires no trigger.) The trigger on tokens that writes to the
-- log goes first and comes back as it was, as SQLite checks every trigger on a rename.
DROP TRIGGER audit_forget_token;
CREATE TABLE audit_log_new (
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
        CHECK (actor_kind IN ('user', 'token', 'bootstrap_token', 'secret_scanning', 'system'))
) STRICT;
INSERT INTO audit_log_new (seq, at, actor, actor_token_id, actor_token_name, actor_nonce, action,
    subject_type, subject_id, subject_name, subject_nonce, count, detail, actor_digest,
    subject_digest, prev_hash, hash, actor_kind)
SELECT seq, at, actor, actor_token_id, actor_token_name, actor_nonce, action, subject_type,
    subject_id, subject_name, subject_nonce, count, detail, actor_digest, subject_digest,
    prev_hash, hash, actor_kind FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_by_actor ON audit_log (actor, seq DESC);
CREATE INDEX audit_by_action ON audit_log (action, seq DESC);
CREATE INDEX audit_unsealed ON audit_log (seq) WHERE hash IS NULL;
CREATE INDEX audit_token_subject ON audit_log (subject_id) WHERE subject_type = 'token';
CREATE INDEX audit_token_actor ON audit_log (actor_token_id) WHERE actor_token_id IS NOT NULL;
CREATE TRIGGER audit_forget_token AFTER DELETE ON tokens BEGIN
    UPDATE audit_log SET subject_id = NULL, subject_name = NULL, subject_nonce = NULL
    WHERE subject_type = 'token' AND subject_id = OLD.id;
    UPDATE audit_log SET actor_token_id = NULL, actor_token_name = NULL, actor_nonce = NULL
    WHERE actor_token_id = OLD.id;
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be deleted');
END;
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_log
WHEN NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at OR NEW.actor IS NOT OLD.actor
  OR NEW.actor_kind IS NOT OLD.actor_kind
  OR NEW.action IS NOT OLD.action OR NEW.subject_type IS NOT OLD.subject_type
  OR NEW.count IS NOT OLD.count OR NEW.detail IS NOT OLD.detail
  OR (OLD.hash IS NOT NULL AND (NEW.hash IS NOT OLD.hash OR NEW.prev_hash IS NOT OLD.prev_hash
      OR NEW.actor_digest IS NOT OLD.actor_digest OR NEW.subject_digest IS NOT OLD.subject_digest))
  OR (NEW.subject_id IS NOT NULL AND NEW.subject_id IS NOT OLD.subject_id)
  OR (NEW.subject_name IS NOT NULL AND NEW.subject_name IS NOT OLD.subject_name)
  OR (NEW.actor_token_id IS NOT NULL AND NEW.actor_token_id IS NOT OLD.actor_token_id)
  OR (NEW.actor_token_name IS NOT NULL AND NEW.actor_token_name IS NOT OLD.actor_token_name)
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be changed');
END;
