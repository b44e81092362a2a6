-- The Audit page filters by who acted without regard to case (`actor = ? COLLATE NOCASE`),
-- which `audit_by_actor` (binary collation) cannot serve: the filter walked the whole log
-- newest first. This index serves it; the list now writes only the conditions a request sets,
-- each in the form its index takes (README, Admin reads).
CREATE INDEX audit_by_actor_nocase ON audit_log (actor COLLATE NOCASE, seq);
