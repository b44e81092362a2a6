-- Issue 19: a token string is one credential, whichever column holds its hash. The unique
-- indexes keep token_hash unique among current secrets and previous_hash among previous
-- ones; these triggers keep the two apart, so a pre-shared value can never be another
-- token's previous secret (the agent lookup, `token_hash = ?1 OR previous_hash = ?1`, then
-- always finds at most one row, and a leak report always names the right token). The worker
-- recognises the message and answers 409 token_value_conflict.
CREATE TRIGGER tokens_one_value_on_insert BEFORE INSERT ON tokens
WHEN EXISTS (SELECT 1 FROM tokens WHERE previous_hash = NEW.token_hash)
BEGIN
    SELECT RAISE(ABORT, 'token_value_conflict: that string is a secret of another token');
END;

-- Only statements that set a secret fire it (a rotation); last-used bookkeeping does not.
CREATE TRIGGER tokens_one_value_on_update BEFORE UPDATE OF token_hash, previous_hash ON tokens
WHEN EXISTS (SELECT 1 FROM tokens o WHERE o.id != NEW.id
             AND (o.previous_hash = NEW.token_hash OR o.token_hash = NEW.previous_hash))
BEGIN
    SELECT RAISE(ABORT, 'token_value_conflict: that string is a secret of another token');
END;
