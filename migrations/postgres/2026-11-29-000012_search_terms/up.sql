-- Nothing to do on PostgreSQL. Keep in step with ../../sqlite/, which adds a
-- table of the search index's words so that a prefix of 7 or more characters
-- is searched as the words it completes to: FTS5 has prefix indexes only for
-- the lengths it was built with, while PostgreSQL's GIN index answers any
-- prefix ('governm':*) from its ordered lexemes.
SELECT 1;
