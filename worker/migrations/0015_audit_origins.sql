-- Issue 23: each audit entry records how the attempt ended (success, or denied by the route's
-- access check, or failure), and where it came from: the client's address and user agent
-- (cleaned and cut to 256 characters by the worker). All three are covered by the hash chain
-- when present (shared::audit::Sealed); entries written before stay as they were sealed.
ALTER TABLE audit_log ADD COLUMN outcome TEXT CHECK (outcome IN ('success', 'denied', 'failure'));
ALTER TABLE audit_log ADD COLUMN client_ip TEXT;
ALTER TABLE audit_log ADD COLUMN user_agent TEXT;

-- A loop of refused attempts writes one `denied` entry a minute per actor and route: the
-- first of each minute is written, the rest counted here, and the next entry says how many.
CREATE TABLE audit_denials (
    actor_key    TEXT    NOT NULL,
    route        TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    suppressed   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (actor_key, route)
) STRICT, WITHOUT ROWID;

-- The Audit page's filters by outcome (an old entry, without one, is a success) and kind.
CREATE INDEX audit_log_outcome ON audit_log (COALESCE(outcome, 'success'), seq);
CREATE INDEX audit_log_kind ON audit_log (actor_kind, seq);
