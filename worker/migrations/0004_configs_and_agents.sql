-- Telegraf configurations agents fetch as TOML, and the agents that report heartbeats.

CREATE TABLE configs (
    id         TEXT    PRIMARY KEY NOT NULL,
    name       TEXT    NOT NULL COLLATE NOCASE,
    toml       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX configs_name ON configs (name);

-- One row per agent id, overwritten by each heartbeat. The token column is cleared when that
-- token is deleted, so no row still names a deleted token.
CREATE TABLE agents (
    id             TEXT    PRIMARY KEY NOT NULL,
    hostname       TEXT,
    version        TEXT    NOT NULL,
    status         TEXT,
    metrics        INTEGER,
    configurations TEXT    NOT NULL DEFAULT '[]',
    last_seen      INTEGER NOT NULL,
    token_id       TEXT    REFERENCES tokens (id) ON DELETE SET NULL,
    ip             TEXT
) STRICT;
CREATE INDEX agents_token ON agents (token_id, last_seen);
CREATE INDEX agents_last_seen ON agents (last_seen DESC);
