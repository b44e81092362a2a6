-- Issue 8: token ceilings, exactly one Owner, agents keyed within their owner, and a limit on
-- invalid token presentations per client address.

-- The most a token may ever act as: the role of the person who created it, whoever owns it
-- later. Existing tokens get the lower of their owner's role and their creator's (found by
-- the username kept in created_by); the bootstrap token belongs to the instance and is Owner.
ALTER TABLE tokens ADD COLUMN ceiling_role TEXT NOT NULL DEFAULT 'viewer'
    CHECK (ceiling_role IN ('owner', 'administrator', 'manager', 'viewer'));
UPDATE tokens SET ceiling_role = CASE
    WHEN owner_id IS NULL AND source = 'bootstrap' THEN 'owner'
    ELSE (
        SELECT CASE MIN(CASE u.role WHEN 'owner' THEN 3 WHEN 'administrator' THEN 2
                                    WHEN 'manager' THEN 1 ELSE 0 END)
                   WHEN 3 THEN 'owner' WHEN 2 THEN 'administrator' WHEN 1 THEN 'manager'
                   ELSE 'viewer' END
        FROM users u
        WHERE u.id = tokens.owner_id OR u.username = tokens.created_by
    )
END;

-- Exactly one Owner (Telegraf Controller's rule): keep the earliest (enabled first), make any
-- others Administrators, and let the database refuse a second one from now on.
UPDATE users SET role = 'administrator'
WHERE role = 'owner' AND id != (
    SELECT id FROM users WHERE role = 'owner' ORDER BY disabled, created_at, id LIMIT 1
);
CREATE UNIQUE INDEX users_one_owner ON users (role) WHERE role = 'owner';

-- Agents are keyed within their owner (the token's owner at the time of the heartbeat; ''
-- for the instance's bootstrap token): another owner's token reporting the same agent id
-- makes a row of its own and never overwrites this one.
CREATE TABLE agents_by_owner (
    owner_key      TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    hostname       TEXT,
    version        TEXT    NOT NULL,
    status         TEXT,
    metrics        INTEGER,
    configurations TEXT    NOT NULL DEFAULT '[]',
    last_seen      INTEGER NOT NULL,
    token_id       TEXT    REFERENCES tokens (id) ON DELETE SET NULL,
    ip             TEXT,
    PRIMARY KEY (owner_key, id)
) STRICT;
INSERT INTO agents_by_owner (owner_key, id, hostname, version, status, metrics, configurations,
                             last_seen, token_id, ip)
SELECT COALESCE((SELECT t.owner_id FROM tokens t WHERE t.id = a.token_id), ''), a.id, a.hostname,
       a.version, a.status, a.metrics, a.configurations, a.last_seen, a.token_id, a.ip
FROM agents a;
DROP TABLE agents;
ALTER TABLE agents_by_owner RENAME TO agents;
CREATE INDEX agents_token ON agents (token_id, last_seen);
CREATE INDEX agents_last_seen ON agents (last_seen DESC);

-- Invalid token presentations per client address in the current one-minute window.
CREATE TABLE token_failures (
    address      TEXT    PRIMARY KEY NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL
) STRICT;

-- Failed sign-ins are purged by age for every username at once.
CREATE INDEX login_failures_at ON login_failures (at);
