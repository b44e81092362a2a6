-- Issue 20: no admin request reads a number of rows that grows with the number of tokens.
-- D1 runs one query at a time per database, so an admin's scan of 100,000 tokens made every
-- agent request behind it wait.

-- 1. Search by part of a description, through an index of three-character pieces.
--
-- Why not FTS5: D1 has it, but `wrangler d1 export` refuses a database holding an FTS5
-- virtual table, so backups would break; and FTS5's trigram tokenizer needs a query of three
-- characters or more anyway. An ordinary table kept by triggers exports like any other.
--
-- For every position of a token's lowercased name, the piece of (at most) three characters
-- starting there: "Web-1" gives "web", "eb-", "b-1", "-1" and "1". A text of three or more
-- characters occurs in a name only where all its three-character pieces do, so the tokens
-- holding its rarest piece are a superset of the matches (the search checks each with
-- instr); a text of one or two characters is the start of a piece wherever it occurs.
-- lower() and substr() here, in the search and in its check are SQLite's, so all three
-- agree on what a character and its lowercase are.

-- Positions 1 to 255 (a name's longest): triggers cannot use a recursive CTE.
CREATE TABLE search_positions (i INTEGER PRIMARY KEY);
INSERT INTO search_positions (i)
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 255)
SELECT i FROM k;

CREATE TABLE token_grams (
    gram     TEXT NOT NULL,
    token_id TEXT NOT NULL,
    PRIMARY KEY (gram, token_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO token_grams (gram, token_id)
SELECT substr(lower(t.name), p.i, 3), t.id FROM tokens t JOIN search_positions p ON p.i <= length(t.name);

CREATE TRIGGER token_grams_insert AFTER INSERT ON tokens
BEGIN
    INSERT OR IGNORE INTO token_grams (gram, token_id)
    SELECT substr(lower(NEW.name), i, 3), NEW.id FROM search_positions WHERE i <= length(NEW.name);
END;

-- Deleted by primary key, piece by piece: no second index on token_id to keep.
CREATE TRIGGER token_grams_delete AFTER DELETE ON tokens
BEGIN
    DELETE FROM token_grams WHERE token_id = OLD.id AND gram IN
        (SELECT substr(lower(OLD.name), i, 3) FROM search_positions WHERE i <= length(OLD.name));
END;

CREATE TRIGGER token_grams_rename AFTER UPDATE OF name ON tokens WHEN OLD.name IS NOT NEW.name
BEGIN
    DELETE FROM token_grams WHERE token_id = OLD.id AND gram IN
        (SELECT substr(lower(OLD.name), i, 3) FROM search_positions WHERE i <= length(OLD.name));
    INSERT OR IGNORE INTO token_grams (gram, token_id)
    SELECT substr(lower(NEW.name), i, 3), NEW.id FROM search_positions WHERE i <= length(NEW.name);
END;

-- The hint ending ("…a1b2") is searched by equality.
CREATE INDEX tokens_last4 ON tokens (last4);

-- The Revoked filter reads the revoked tokens only, not every token to find none.
CREATE INDEX tokens_revoked ON tokens (revoked_at) WHERE revoked_at IS NOT NULL;

-- 2. Totals without counting: how many tokens there are, in all ('*') and per owner (the
-- owner's id; '' for a token without one). Filtered lists count up to a cap instead.
CREATE TABLE token_counts (
    scope TEXT PRIMARY KEY,
    n     INTEGER NOT NULL CHECK (n >= 0)
) WITHOUT ROWID;

INSERT INTO token_counts (scope, n) SELECT '*', COUNT(*) FROM tokens;
INSERT INTO token_counts (scope, n) SELECT COALESCE(owner_id, ''), COUNT(*) FROM tokens GROUP BY COALESCE(owner_id, '');

CREATE TRIGGER token_counts_insert AFTER INSERT ON tokens
BEGIN
    INSERT INTO token_counts (scope, n) VALUES ('*', 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
    INSERT INTO token_counts (scope, n) VALUES (COALESCE(NEW.owner_id, ''), 1)
        ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER token_counts_delete AFTER DELETE ON tokens
BEGIN
    UPDATE token_counts SET n = n - 1 WHERE scope IN ('*', COALESCE(OLD.owner_id, ''));
END;

CREATE TRIGGER token_counts_reassign AFTER UPDATE OF owner_id ON tokens
WHEN OLD.owner_id IS NOT NEW.owner_id
BEGIN
    UPDATE token_counts SET n = n - 1 WHERE scope = COALESCE(OLD.owner_id, '');
    INSERT INTO token_counts (scope, n) VALUES (COALESCE(NEW.owner_id, ''), 1)
        ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

-- A deleted user's tokens go with it (ON DELETE CASCADE, each counted down above); so does
-- the counter that named the user.
CREATE TRIGGER token_counts_user_deleted AFTER DELETE ON users
BEGIN
    DELETE FROM token_counts WHERE scope = OLD.id;
END;
