-- Nothing to do on PostgreSQL yet. Keep in step with ../../sqlite/, which
-- adds each article's category, author and month to its FTS5 row so that a
-- filtered search skips through the index instead of testing every match.
-- (On PostgreSQL the same would be lexemes in the tsvector; see bench/RESULTS.md
-- for what filtered searches cost there.)
SELECT 1;
