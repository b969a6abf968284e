-- Nothing to do on SQLite: 2026-11-29-000013 gave its index the facets that
-- ../../postgres/ gives PostgreSQL's here. Keep in step with ../../postgres/.
SELECT 1;
