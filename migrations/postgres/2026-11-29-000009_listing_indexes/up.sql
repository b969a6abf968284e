-- Public listings (home, category, author, feeds, the Content API) read the
-- newest visible articles. These partial indexes hold only the statuses a
-- visitor may see, in listing order, so a page is a range read of the index
-- at any depth, with no sort. Queries must spell the predicate exactly as
-- below (see cms-core's articles::live) for the planner to use them.
CREATE INDEX articles_live_idx ON articles (published_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX articles_live_category_idx ON articles (category_id, published_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX articles_live_author_idx ON articles (author_id, published_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
-- The foreign keys keep plain indexes (deleting a user or a category looks
-- up every article, drafts included).
DROP INDEX articles_category_idx;
DROP INDEX articles_author_idx;
CREATE INDEX articles_category_idx ON articles (category_id);
CREATE INDEX articles_author_idx ON articles (author_id);
-- The admin list: most recently edited first.
CREATE INDEX articles_updated_idx ON articles (updated_at DESC, id DESC);
-- The scheduler's due articles.
CREATE INDEX articles_scheduled_idx ON articles (published_at) WHERE status = 'scheduled';
-- With the status first, this index looked like the best one for any
-- status filter (a planner without statistics takes `status IN (...)` for
-- a selective equality) and sorted whole listings; the partial indexes
-- above replace it.
DROP INDEX articles_public_idx;
