-- What a PostgreSQL search reads to find its ids, apart from the text it
-- highlights: a narrow table of each article's tsvector (words and facets)
-- and the columns its filters test. Keep in step with ../../sqlite/
-- (nothing to do there).
--
-- A capped search read a heap page of article_search per match (rows of
-- 2 kB with the text, the tsvector beside it: 1.3 GB at a million articles,
-- ten times shared_buffers) and then looked each match up in articles for
-- its status, time and filters (four buffers more): 13.7 ms of a 20 ms
-- search of one word in one category, 1 700 matches. Here a row is the
-- keys and the tsvector, which is stored uncompressed and, when long, out of
-- line (STORAGE EXTERNAL), so about twenty rows share a page; the rows are
-- written in publication order, so a window of months is a run of pages;
-- and the filters are tested on the row itself: the same search reads
-- 1 600 buffers instead of 8 500 (5 ms). A search that walks a listing
-- index of articles (a word in most of them) tests this tsvector too.
--
-- The copies are kept by cms_core::search::reindex (every save) and by a
-- trigger for any other write to an article's status, time, category or
-- author (scheduling, unpublishing, a category deleted). At a million
-- articles this migration takes about a minute.

-- An article's tsvector: its words, weighted by where they are, and its
-- facets (article_search_facets_of). The one definition: reindex calls it.
CREATE FUNCTION article_search_document_of(title TEXT, standfirst TEXT, body TEXT, facets TEXT)
RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector('simple'::regconfig, title), 'A') ||
           setweight(to_tsvector('simple'::regconfig, standfirst), 'B') ||
           setweight(to_tsvector('simple'::regconfig, body), 'C') ||
           array_to_tsvector(string_to_array(facets, ' '))
$$;

CREATE TABLE article_search_keys (
    article_id   INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    published_at TIMESTAMP,
    category_id  INTEGER,
    author_id    INTEGER,
    document     tsvector NOT NULL
) WITH (toast_tuple_target = 128);
-- Out of line from 128 bytes a row (not the default 2 kB), uncompressed:
-- only short tsvectors stay in the row. Without this the table was as
-- large as article_search (1.3 GB); with it, 356 MB.
ALTER TABLE article_search_keys ALTER COLUMN document SET STORAGE EXTERNAL;

-- The tsvectors as 2026-11-29-000014 made them (its trigger kept their
-- facets in step), in publication order.
INSERT INTO article_search_keys (article_id, status, published_at, category_id, author_id, document)
SELECT a.id, a.status, a.published_at, a.category_id, a.author_id, s.document
FROM article_search s JOIN articles a ON a.id = s.article_id
ORDER BY a.published_at, a.id;

CREATE INDEX article_search_keys_document_idx ON article_search_keys USING GIN (document)
    WITH (gin_pending_list_limit = 256);

-- article_search keeps the text, for highlights.
DROP TRIGGER article_search_facets ON articles;
DROP FUNCTION article_search_facets();
DROP INDEX article_search_document_idx;
ALTER TABLE article_search DROP COLUMN document, DROP COLUMN facets;

CREATE FUNCTION article_search_keys_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_search_keys
    SET status = NEW.status,
        published_at = NEW.published_at,
        category_id = NEW.category_id,
        author_id = NEW.author_id,
        -- Every facet out (a searcher's words never start with '#'), the
        -- article's facets now in.
        document = ts_delete(document, ARRAY(SELECT w.lexeme FROM unnest(document) AS w
                                             WHERE left(w.lexeme, 1) = '#'))
                   || array_to_tsvector(string_to_array(
                          article_search_facets_of(NEW.category_id, NEW.author_id, NEW.published_at), ' '))
    WHERE article_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER article_search_keys_sync
AFTER UPDATE OF status, published_at, category_id, author_id ON articles
FOR EACH ROW
WHEN (OLD.status IS DISTINCT FROM NEW.status
      OR OLD.published_at IS DISTINCT FROM NEW.published_at
      OR OLD.category_id IS DISTINCT FROM NEW.category_id
      OR OLD.author_id IS DISTINCT FROM NEW.author_id)
EXECUTE FUNCTION article_search_keys_sync();

ANALYZE article_search_keys;
