-- A summary of the public articles per block of 1 000 ids (block b holds ids
-- b * 1000 + 1 ..= (b + 1) * 1000), so the sitemap index and the count of
-- all live articles read at most a thousand small rows at a million
-- articles instead of every article (see cms-core's articles::blocks).
--
-- live_count and lastmod (newest updated_at) cover the rows that were live
-- when the block was last computed; next_due is the earliest publication
-- time still to come among its published or scheduled rows, when a reader
-- must compute it again (scheduled articles go live without a write).
-- The triggers below mark a block stale on every write that can change it
-- and bump its version; a reader stores what it computed only if the version
-- is still the one it read, so a write during a refresh is never lost.
--
-- 1000 must match cms-core's articles::blocks::BLOCK_SIZE.
CREATE TABLE article_blocks (
    block INTEGER PRIMARY KEY NOT NULL,
    live_count INTEGER NOT NULL DEFAULT 0,
    lastmod TIMESTAMP,
    next_due TIMESTAMP,
    stale BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1
);

-- Statement-level triggers with transition tables: a multi-row insert (the
-- seeder's thousand rows) upserts each block once, not once per row.
-- Drafts and archived articles never count, so only rows that are, or were,
-- published or scheduled mark their block. Blocks are locked in order, so
-- two statements marking the same blocks cannot deadlock on them.
-- (PostgreSQL allows transition tables only on single-event triggers
-- without a column list, hence three triggers, and every UPDATE marks.)
CREATE FUNCTION article_blocks_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO article_blocks (block)
        SELECT DISTINCT (id - 1) / 1000 FROM new_rows
        WHERE status IN ('published', 'scheduled')
        ORDER BY 1
        ON CONFLICT (block) DO UPDATE
            SET stale = TRUE, version = article_blocks.version + 1;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO article_blocks (block)
        SELECT DISTINCT (id - 1) / 1000 FROM old_rows
        WHERE status IN ('published', 'scheduled')
        ORDER BY 1
        ON CONFLICT (block) DO UPDATE
            SET stale = TRUE, version = article_blocks.version + 1;
    ELSE
        INSERT INTO article_blocks (block)
        SELECT b FROM (
            SELECT (id - 1) / 1000 AS b FROM new_rows
            WHERE status IN ('published', 'scheduled')
            UNION
            SELECT (id - 1) / 1000 FROM old_rows
            WHERE status IN ('published', 'scheduled')
        ) touched
        ORDER BY 1
        ON CONFLICT (block) DO UPDATE
            SET stale = TRUE, version = article_blocks.version + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER article_blocks_insert AFTER INSERT ON articles
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION article_blocks_mark();
CREATE TRIGGER article_blocks_delete AFTER DELETE ON articles
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION article_blocks_mark();
CREATE TRIGGER article_blocks_update AFTER UPDATE ON articles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION article_blocks_mark();

-- Backfill: one grouped pass over the existing articles, at upgrade time,
-- so the first request after it reads a ready summary. next_due also takes
-- publication times of the last hour, so the blocks of the newest articles
-- are computed again by the application at its first read, against its own
-- clock rather than the server's.
INSERT INTO article_blocks (block, live_count, lastmod, next_due, stale, version)
SELECT (id - 1) / 1000,
       COUNT(*) FILTER (WHERE published_at <= (now() AT TIME ZONE 'UTC')),
       MAX(updated_at) FILTER (WHERE published_at <= (now() AT TIME ZONE 'UTC')),
       MIN(published_at) FILTER (WHERE published_at > (now() AT TIME ZONE 'UTC') - INTERVAL '1 hour'),
       FALSE,
       1
FROM articles
WHERE status IN ('published', 'scheduled')
GROUP BY 1;
