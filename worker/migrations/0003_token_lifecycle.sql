-- Token history, list indexes for every sort order, and the guard that makes bulk operations
-- all-or-nothing.

-- Per-token history, newest first. Deleting a token deletes its history (SPEC 3): no row
-- anywhere still names a deleted token's id.
CREATE TABLE token_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    token_id TEXT    NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    kind     TEXT    NOT NULL CHECK (kind IN ('created', 'revoked', 'reassigned', 'first_use', 'usage')),
    actor    TEXT,
    detail   TEXT
) STRICT;
CREATE INDEX token_events_token ON token_events (token_id, at DESC, id DESC);

-- One index per sort key, each ending in id for a stable keyset order. Nullable keys are
-- indexed through the same COALESCE the list query sorts by: never-used tokens sort as the
-- oldest use, tokens without expiry as expiring last (at the largest instant a JavaScript
-- Date holds, which a bound parameter carries exactly).
CREATE INDEX tokens_name_order ON tokens (name COLLATE NOCASE, id);
CREATE INDEX tokens_last_used_order ON tokens (COALESCE(last_used_at, -1), id);
CREATE INDEX tokens_expires_order ON tokens (COALESCE(expires_at, 8640000000000000), id);

-- A bulk operation first inserts (number of matching tokens = number requested) here inside
-- its batch; a false value violates the CHECK and D1 rolls the whole batch back.
CREATE TABLE bulk_guard (
    ok INTEGER NOT NULL CHECK (ok = 1)
) STRICT;
