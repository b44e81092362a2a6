-- API tokens. Only the SHA-256 of a token string is stored, plus its last four characters
-- for the list's hint. Instants are Unix milliseconds (UTC).
CREATE TABLE tokens (
    id              TEXT    PRIMARY KEY NOT NULL,
    name            TEXT    NOT NULL COLLATE NOCASE,
    token_hash      TEXT    NOT NULL,
    last4           TEXT    NOT NULL,
    permissions     TEXT    NOT NULL,
    source          TEXT    NOT NULL CHECK (source IN ('user', 'preshared', 'bootstrap')),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    revoked_at      INTEGER,
    last_used_at    INTEGER,
    last_used_ip    TEXT,
    last_used_agent TEXT
) STRICT;

-- Names are unique regardless of ASCII case, so "CI" and "ci" cannot both exist.
CREATE UNIQUE INDEX tokens_name ON tokens (name);
-- Every agent request authenticates with one lookup through this index.
CREATE UNIQUE INDEX tokens_hash ON tokens (token_hash);
-- The default list order (newest first) and its keyset pagination.
CREATE INDEX tokens_created ON tokens (created_at DESC, id DESC);
