-- Issue 22: the organisation's token lifetime policy, one row that the Owner sets.
-- max_lifetime_days NULL: no maximum; require_expiry 1: every new token must expire (always
-- with a maximum). New tokens and rotations are checked against it; existing tokens beyond it
-- are marked and filtered on (shared::token_policy), never changed.
CREATE TABLE token_policy (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    max_lifetime_days INTEGER CHECK (max_lifetime_days IS NULL
                                     OR max_lifetime_days BETWEEN 1 AND 36525),
    require_expiry    INTEGER NOT NULL DEFAULT 0 CHECK (require_expiry IN (0, 1)),
    updated_at        INTEGER
) STRICT;
INSERT INTO token_policy (id, max_lifetime_days, require_expiry, updated_at) VALUES (1, NULL, 0, NULL);
