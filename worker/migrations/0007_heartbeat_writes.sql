-- Issue 11: a recorded heartbeat writes one row. D1 bills every index entry a write touches as
-- a row written, and last_seen (which every heartbeat moves) was in two indexes, so each
-- recorded beat cost three rows written. At 100,000 agents that was most of the bill.

-- The fleet page sorts by last_seen without an index: one scan of the agents of the caller's
-- scope per page view, instead of two index entries rewritten on every heartbeat.
DROP INDEX agents_last_seen;

-- Per token, only the token: a token's agents are found by it (recent agents, refusals, the
-- deletion that clears it), and a heartbeat that does not change its token leaves it alone.
DROP INDEX agents_token;
CREATE INDEX agents_by_token ON agents (token_id);
