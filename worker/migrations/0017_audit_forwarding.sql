-- Issue 23: audit entries forwarded to AUDIT_WEBHOOK_URL through Cloudflare Queues. One row of
-- delivery state: up to which seq entries were handed to the queue, how many the receiver took,
-- how many ended in the dead-letter queue, the failures in a row (the back-off), and the last
-- delivery and error, which the Audit page shows.
CREATE TABLE audit_forwarding (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    enqueued_upto     INTEGER NOT NULL DEFAULT 0,
    delivered         INTEGER NOT NULL DEFAULT 0,
    dead              INTEGER NOT NULL DEFAULT 0,
    failures          INTEGER NOT NULL DEFAULT 0,
    last_delivered_at INTEGER,
    last_error        TEXT
) STRICT;
INSERT INTO audit_forwarding (id) VALUES (1);
