-- Issue 13: rotation with an overlap window, expiry notices, leak reports and the audit log.

-- Rotation keeps the previous secret's hash beside the new one until the next rotation. It
-- authenticates while previous_until is in the future, and is refused as revoked after that;
-- the lookup finds either hash through its own unique index (one query, two index probes).
ALTER TABLE tokens ADD COLUMN previous_hash TEXT;
ALTER TABLE tokens ADD COLUMN previous_until INTEGER;
ALTER TABLE tokens ADD COLUMN previous_last_used_at INTEGER;
ALTER TABLE tokens ADD COLUMN rotated_at INTEGER;
CREATE UNIQUE INDEX tokens_previous_hash ON tokens (previous_hash) WHERE previous_hash IS NOT NULL;
-- "Expiring soon" reads active tokens by expiry.
CREATE INDEX tokens_expiring ON tokens (expires_at) WHERE expires_at IS NOT NULL AND revoked_at IS NULL;

-- History gains 'rotated' and 'expiry_notice' (a delivered expiry webhook); a CHECK changes
-- only by rebuilding the table.
CREATE TABLE token_events_v3 (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    token_id TEXT    NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    kind     TEXT    NOT NULL
             CHECK (kind IN ('created', 'revoked', 'reassigned', 'first_use', 'usage', 'refused',
                             'rotated', 'expiry_notice')),
    actor    TEXT,
    detail   TEXT
) STRICT;
INSERT INTO token_events_v3 (id, token_id, at, kind, actor, detail)
SELECT id, token_id, at, kind, actor, detail FROM token_events;
DROP TABLE token_events;
ALTER TABLE token_events_v3 RENAME TO token_events;
CREATE INDEX token_events_token ON token_events (token_id, at DESC, id DESC);

-- The audit log: every change a person or a token makes, appended in the same batch as the
-- change itself (so one commits only with the other), and chained: each entry's hash covers
-- the previous entry's hash and its own content. The chain is computed by the worker right
-- after the change (D1 has no SHA-256 in SQL); `hash IS NULL` marks the entries not yet sealed.
--
-- Token references are redactable: when a token is deleted, its id and name vanish from
-- every entry (the trigger below), with the nonce that made their digest unguessable. The
-- chain covers the digest, not the name, so a redaction leaves the chain intact and the
-- log still holds no record of the deleted token (SPEC 3).
CREATE TABLE audit_log (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    at               INTEGER NOT NULL,
    -- The acting username, 'OWNER_TOKEN' for the instance's bootstrap token, or the system
    -- part that acted ('secret scanning').
    actor            TEXT    NOT NULL,
    actor_token_id   TEXT,
    actor_token_name TEXT,
    actor_nonce      TEXT,
    action           TEXT    NOT NULL CHECK (action IN (
        'token_created', 'token_revoked', 'token_reassigned', 'token_rotated', 'token_deleted',
        'user_created', 'user_updated', 'role_changed', 'user_disabled', 'user_enabled',
        'user_deleted', 'ownership_transferred', 'password_changed', 'password_reset',
        'config_created', 'config_updated', 'config_deleted')),
    subject_type     TEXT    CHECK (subject_type IN ('token', 'user', 'config')),
    subject_id       TEXT,
    subject_name     TEXT,
    subject_nonce    TEXT,
    count            INTEGER NOT NULL DEFAULT 1,
    detail           TEXT,
    -- Set when the entry is sealed into the chain.
    actor_digest     TEXT,
    subject_digest   TEXT,
    prev_hash        TEXT,
    hash             TEXT
) STRICT;
CREATE INDEX audit_by_actor ON audit_log (actor, seq DESC);
CREATE INDEX audit_by_action ON audit_log (action, seq DESC);
CREATE INDEX audit_unsealed ON audit_log (seq) WHERE hash IS NULL;
CREATE INDEX audit_token_subject ON audit_log (subject_id) WHERE subject_type = 'token';
CREATE INDEX audit_token_actor ON audit_log (actor_token_id) WHERE actor_token_id IS NOT NULL;

-- Deleting a token (directly, in bulk, or with its owner) forgets it in the log.
CREATE TRIGGER audit_forget_token AFTER DELETE ON tokens BEGIN
    UPDATE audit_log SET subject_id = NULL, subject_name = NULL, subject_nonce = NULL
    WHERE subject_type = 'token' AND subject_id = OLD.id;
    UPDATE audit_log SET actor_token_id = NULL, actor_token_name = NULL, actor_nonce = NULL
    WHERE actor_token_id = OLD.id;
END;

-- Entries are never changed or removed, except by the redaction above and the sealing of
-- their hash: the database refuses anything else, whatever code asks.
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be deleted');
END;
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_log
WHEN NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at OR NEW.actor IS NOT OLD.actor
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
