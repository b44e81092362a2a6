-- People who sign in, their browser sessions, and failed sign-ins for throttling.
-- Passwords are stored as PBKDF2-HMAC-SHA256 (salt and iteration count beside the hash);
-- sessions only as the SHA-256 of the cookie value.
CREATE TABLE users (
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
CREATE UNIQUE INDEX users_username ON users (username);

CREATE TABLE sessions (
    id_hash    TEXT    PRIMARY KEY NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    username TEXT    NOT NULL COLLATE NOCASE,
    at       INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_username ON login_failures (username, at);

-- A token belongs to a user; deleting the user deletes their tokens. NULL only for the
-- bootstrap token, which belongs to the instance. created_by and revoked_by keep the
-- acting username as written at the time, so the audit trail survives renames and deletions.
ALTER TABLE tokens ADD COLUMN owner_id TEXT REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE tokens ADD COLUMN created_by TEXT;
ALTER TABLE tokens ADD COLUMN revoked_by TEXT;
CREATE INDEX tokens_owner ON tokens (owner_id, created_at DESC, id DESC);
