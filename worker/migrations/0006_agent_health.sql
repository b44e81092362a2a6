-- Issue 10: what an agent's last heartbeats say about its health, and refused tokens in a
-- token's history.

-- The gap between an agent's last two heartbeats (its interval, as observed) and when a
-- heartbeat from it was last refused (its token revoked, expired or its owner disabled).
ALTER TABLE agents ADD COLUMN interval_ms INTEGER;
ALTER TABLE agents ADD COLUMN refused_at INTEGER;

-- Refusals of a known token are recorded at most once a minute per token, like last use.
ALTER TABLE tokens ADD COLUMN last_refused_at INTEGER;

-- History gains a 'refused' kind; SQLite changes a CHECK only by rebuilding the table.
CREATE TABLE token_events_v2 (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    token_id TEXT    NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    kind     TEXT    NOT NULL
             CHECK (kind IN ('created', 'revoked', 'reassigned', 'first_use', 'usage', 'refused')),
    actor    TEXT,
    detail   TEXT
) STRICT;
INSERT INTO token_events_v2 (id, token_id, at, kind, actor, detail)
SELECT id, token_id, at, kind, actor, detail FROM token_events;
DROP TABLE token_events;
ALTER TABLE token_events_v2 RENAME TO token_events;
CREATE INDEX token_events_token ON token_events (token_id, at DESC, id DESC);
