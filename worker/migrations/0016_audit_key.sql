-- Issue 23: with AUDIT_KEY set, each entry's hash is an HMAC-SHA-256 under a key; the entry
-- records which (keys rotate: AUDIT_KEY lists the current key first, then older ones).
ALTER TABLE audit_log ADD COLUMN key_id TEXT;

-- The append-only rule covers the columns of migrations 0015 and 0016 too: an entry's
-- outcome, address and user agent never change; its key id is written once, when it is sealed.
DROP TRIGGER audit_append_only;
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_log
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
