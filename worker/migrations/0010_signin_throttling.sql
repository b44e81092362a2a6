-- Sign-in throttling that cannot be used to lock anyone out (OWASP's device cookies): failures
-- are counted per username and client address, per known device, per username across
-- addresses (unknown browsers only) and per address; checks of one's own current password are
-- counted apart. The per-username lock of migration 0002 goes: five wrong passwords from
-- anywhere locked the username, the Owner's included, for anyone who tried.
DROP TABLE login_failures;

-- Sign-in attempts from browsers without a valid device cookie for the username. Each is
-- counted before its password is checked and a successful sign-in removes its pair's rows, so
-- what remains are failures. `address` is the throttles' address key (the /64 of an IPv6
-- address). Kept for the longest window, the hour of the per-username ceiling.
CREATE TABLE signin_failures (
    username TEXT    NOT NULL COLLATE NOCASE,
    address  TEXT    NOT NULL,
    at       INTEGER NOT NULL
) STRICT;
-- Per (username, address), and per username through the same prefix: a username holds at most
-- its ceiling's 50 rows within the hour, so no second index (and its write per row) is needed.
CREATE INDEX signin_failures_username ON signin_failures (username, address, at);
-- Per address, whatever the username.
CREATE INDEX signin_failures_address ON signin_failures (address, at);
-- Purged by age for every username at once.
CREATE INDEX signin_failures_at ON signin_failures (at);

-- Browsers that have signed in: the SHA-256 of a random 32-byte cookie value, bound to its
-- user. A sign-in that presents one for the username it names is counted per device instead.
CREATE TABLE devices (
    id_hash    TEXT    PRIMARY KEY NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX devices_user ON devices (user_id, created_at);

-- Sign-in attempts with a valid device cookie, per device; cleared like the pairs above.
CREATE TABLE device_failures (
    device TEXT    NOT NULL REFERENCES devices (id_hash) ON DELETE CASCADE,
    at     INTEGER NOT NULL
) STRICT;
CREATE INDEX device_failures_device ON device_failures (device, at);
CREATE INDEX device_failures_at ON device_failures (at);

-- Checks of the current password by `POST /api/auth/password`, per account.
CREATE TABLE password_check_failures (
    user_id TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at      INTEGER NOT NULL
) STRICT;
CREATE INDEX password_check_failures_user ON password_check_failures (user_id, at);
CREATE INDEX password_check_failures_at ON password_check_failures (at);
