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
    stale BOOLEAN NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1
);

-- Drafts and archived articles never count, so their writes (autosaves) do
-- not touch the summary: only a row that is, or was, published or scheduled.
CREATE TRIGGER article_blocks_insert AFTER INSERT ON articles
WHEN NEW.status IN ('published', 'scheduled')
BEGIN
    INSERT INTO article_blocks (block) VALUES ((NEW.id - 1) / 1000)
    ON CONFLICT (block) DO UPDATE SET stale = 1, version = version + 1;
END;

CREATE TRIGGER article_blocks_delete AFTER DELETE ON articles
WHEN OLD.status IN ('published', 'scheduled')
BEGIN
    INSERT INTO article_blocks (block) VALUES ((OLD.id - 1) / 1000)
    ON CONFLICT (block) DO UPDATE SET stale = 1, version = version + 1;
END;

CREATE TRIGGER article_blocks_update_new AFTER UPDATE OF id, status, published_at, updated_at ON articles
WHEN NEW.status IN ('published', 'scheduled')
BEGIN
    INSERT INTO article_blocks (block) VALUES ((NEW.id - 1) / 1000)
    ON CONFLICT (block) DO UPDATE SET stale = 1, version = version + 1;
END;

CREATE TRIGGER article_blocks_update_old AFTER UPDATE OF id, status, published_at, updated_at ON articles
WHEN OLD.status IN ('published', 'scheduled')
BEGIN
    INSERT INTO article_blocks (block) VALUES ((OLD.id - 1) / 1000)
    ON CONFLICT (block) DO UPDATE SET stale = 1, version = version + 1;
END;

-- Backfill: one grouped pass over the existing articles, at upgrade time,
-- so the first request after it reads a ready summary. Timestamps are stored
-- as 'YYYY-MM-DD HH:MM:SS' UTC text, which is what CURRENT_TIMESTAMP gives.
-- next_due also takes publication times of the last hour, so the blocks of
-- the newest articles are computed again by the application at its first
-- read, against its own clock.
INSERT INTO article_blocks (block, live_count, lastmod, next_due, stale, version)
SELECT (id - 1) / 1000,
       COUNT(CASE WHEN published_at <= CURRENT_TIMESTAMP THEN 1 END),
       MAX(CASE WHEN published_at <= CURRENT_TIMESTAMP THEN updated_at END),
       MIN(CASE WHEN published_at > datetime('now', '-1 hour') THEN published_at END),
       0,
       1
FROM articles
WHERE status IN ('published', 'scheduled')
GROUP BY 1;
