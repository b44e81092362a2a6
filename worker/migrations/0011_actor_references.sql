-- Issue 19: who acted is stored as a reference, never as a name. A token's creator and
-- revoker, and the actor of each history event, become (kind, user id, token id); names are
-- read when answering. The ids are foreign keys that become NULL when the user or token is
-- deleted, so a deleted token leaves nothing behind in other tokens' records and reads as
-- "a deleted token" everywhere, with no scrubbing written per table. The kind is a field of
-- its own: a user named OWNER_TOKEN is a user, not the bootstrap token.

ALTER TABLE tokens ADD COLUMN created_by_kind TEXT
    CHECK (created_by_kind IN ('user', 'token', 'bootstrap_token', 'secret_scanning', 'system'));
ALTER TABLE tokens ADD COLUMN created_by_user TEXT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE tokens ADD COLUMN created_by_token TEXT REFERENCES tokens (id) ON DELETE SET NULL;
ALTER TABLE tokens ADD COLUMN revoked_by_kind TEXT
    CHECK (revoked_by_kind IN ('user', 'token', 'bootstrap_token', 'secret_scanning', 'system'));
ALTER TABLE tokens ADD COLUMN revoked_by_user TEXT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE tokens ADD COLUMN revoked_by_token TEXT REFERENCES tokens (id) ON DELETE SET NULL;

-- Agent events (first use, usage, refusals) keep the client address they came from; every
-- other event names its actor by reference.
ALTER TABLE token_events RENAME COLUMN actor TO address;
ALTER TABLE token_events ADD COLUMN actor_kind TEXT
    CHECK (actor_kind IN ('user', 'token', 'bootstrap_token', 'secret_scanning', 'system'));
ALTER TABLE token_events ADD COLUMN actor_user TEXT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE token_events ADD COLUMN actor_token TEXT REFERENCES tokens (id) ON DELETE SET NULL;

-- The names stored so far, read back into references: "user (token "name")" is a token, a
-- username a user, the bootstrap token's names the bootstrap token, the system's own names
-- the system; a name nobody has any more was a user since deleted.
CREATE TABLE actor_backfill (name TEXT PRIMARY KEY, kind TEXT, user_id TEXT, token_id TEXT) STRICT;
INSERT OR IGNORE INTO actor_backfill (name)
SELECT created_by FROM tokens WHERE created_by IS NOT NULL
UNION SELECT revoked_by FROM tokens WHERE revoked_by IS NOT NULL
UNION SELECT address FROM token_events WHERE address IS NOT NULL
    AND kind NOT IN ('first_use', 'usage', 'refused');
UPDATE actor_backfill SET kind = 'token',
    user_id = (SELECT u.id FROM users u
               WHERE u.username = substr(actor_backfill.name, 1, instr(actor_backfill.name, ' (token "') - 1)),
    token_id = (SELECT t.id FROM tokens t
                WHERE t.name = substr(actor_backfill.name, instr(actor_backfill.name, ' (token "') + 9,
                                      length(actor_backfill.name) - instr(actor_backfill.name, ' (token "') - 10))
WHERE instr(name, ' (token "') > 0 AND name LIKE '%")';
UPDATE actor_backfill SET kind = 'user',
    user_id = (SELECT u.id FROM users u WHERE u.username = actor_backfill.name)
WHERE kind IS NULL AND EXISTS (SELECT 1 FROM users u WHERE u.username = actor_backfill.name);
UPDATE actor_backfill SET kind = 'bootstrap_token',
    token_id = (SELECT t.id FROM tokens t WHERE t.name = actor_backfill.name AND t.source = 'bootstrap')
WHERE kind IS NULL AND (name = 'OWNER_TOKEN' OR name LIKE 'bootstrap-token%');
UPDATE actor_backfill SET kind = 'secret_scanning' WHERE kind IS NULL AND name = 'secret scanning';
UPDATE actor_backfill SET kind = 'system'
WHERE kind IS NULL AND name IN ('OWNER_TOKEN change', 'scheduled run');
UPDATE actor_backfill SET kind = 'user' WHERE kind IS NULL;

UPDATE tokens SET
    created_by_kind = (SELECT b.kind FROM actor_backfill b WHERE b.name = tokens.created_by),
    created_by_user = (SELECT b.user_id FROM actor_backfill b WHERE b.name = tokens.created_by),
    created_by_token = (SELECT b.token_id FROM actor_backfill b WHERE b.name = tokens.created_by)
WHERE created_by IS NOT NULL;
UPDATE tokens SET
    revoked_by_kind = (SELECT b.kind FROM actor_backfill b WHERE b.name = tokens.revoked_by),
    revoked_by_user = (SELECT b.user_id FROM actor_backfill b WHERE b.name = tokens.revoked_by),
    revoked_by_token = (SELECT b.token_id FROM actor_backfill b WHERE b.name = tokens.revoked_by)
WHERE revoked_by IS NOT NULL;
UPDATE token_events SET
    actor_kind = (SELECT b.kind FROM actor_backfill b WHERE b.name = token_events.address),
    actor_user = (SELECT b.user_id FROM actor_backfill b WHERE b.name = token_events.address),
    actor_token = (SELECT b.token_id FROM actor_backfill b WHERE b.name = token_events.address),
    address = NULL
WHERE address IS NOT NULL AND kind NOT IN ('first_use', 'usage', 'refused');
-- A child's "created" event named its parent in words; the actor now references it.
UPDATE token_events SET detail = CASE
        WHEN detail LIKE '%; its expiry is capped at that token''s'
        THEN 'its expiry is capped at that of the token that created it' END
WHERE kind = 'created' AND detail LIKE 'with the token "%';
DROP TABLE actor_backfill;
ALTER TABLE tokens DROP COLUMN created_by;
ALTER TABLE tokens DROP COLUMN revoked_by;

-- Deleting a token or user nulls the references to it: each through an index, never a scan.
CREATE INDEX tokens_created_by_token ON tokens (created_by_token) WHERE created_by_token IS NOT NULL;
CREATE INDEX tokens_revoked_by_token ON tokens (revoked_by_token) WHERE revoked_by_token IS NOT NULL;
CREATE INDEX tokens_created_by_user ON tokens (created_by_user) WHERE created_by_user IS NOT NULL;
CREATE INDEX tokens_revoked_by_user ON tokens (revoked_by_user) WHERE revoked_by_user IS NOT NULL;
CREATE INDEX token_events_actor_token ON token_events (actor_token) WHERE actor_token IS NOT NULL;
CREATE INDEX token_events_actor_user ON token_events (actor_user) WHERE actor_user IS NOT NULL;

-- The audit log names its actor's kind too. Its hash covers the kind when there is one, so
-- entries written before this migration (kind NULL) verify as they were sealed; the kind is
-- as unchangeable as every other field the chain covers.
ALTER TABLE audit_log ADD COLUMN actor_kind TEXT
    CHECK (actor_kind IN ('user', 'token', 'bootstrap_token', 'secret_scanning', 'system'));
DROP TRIGGER audit_append_only;
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
