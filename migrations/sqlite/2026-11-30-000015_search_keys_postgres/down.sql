-- Nothing to do on SQLite: its FTS5 table already holds the facets, and a
-- search reads no other table until it has its ids. Keep in step with
-- ../../postgres/.
SELECT 1;
