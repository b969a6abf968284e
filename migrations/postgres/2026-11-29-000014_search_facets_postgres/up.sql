-- Filters inside the PostgreSQL search index, as 2026-11-29-000013 put them
-- into SQLite's. Keep in step with ../../sqlite/ (nothing to do there).
--
-- A search of a word found in a few percent of the articles read them newest
-- first through a listing index and tested each one's tsvector (several
-- buffers each) until it had the newest thousand: 17 000 tests, 41-100 ms
-- at a million articles, 130-150 ms with a category. The planner costs @@ as
-- cheap and kept that plan whatever the query said. Each article's tsvector
-- now also holds its filter values as lexemes: #c<category id>,
-- #a<author id>, #y<year>, #m<year><month> and #d<year><month><day> of its
-- publication, and #c<category id>y<year> and #a<author id>y<year> (a
-- category's year is a short list where the category's and the year's are
-- long ones). A search adds the ones its filters (or a window of recent
-- months) need to its tsquery ('council' & '#c3' & ('#m202610' | '#m202611')),
-- the GIN index intersects the lists, and only the articles that have them
-- all are read. A searcher's words never start with '#' (the parser splits
-- there), so typing "c3" finds no facet.
--
-- A generated column cannot read another table, so the facets are stored as
-- text beside the text they join, written by every reindex and by a trigger
-- when an article moves to another category, author or day. The table is
-- built again from its own rows (3-4 minutes at a million articles on 2 cores).

-- An article's facets, as text. The one definition: the backfill, the
-- trigger and cms_core::search::reindex all call it.
CREATE FUNCTION article_search_facets_of(category_id INTEGER, author_id INTEGER, published_at TIMESTAMP)
RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT trim(coalesce('#c' || category_id, '') || coalesce(' #a' || author_id, '')
                || coalesce(to_char(published_at, ' "#y"YYYY "#m"YYYYMM "#d"YYYYMMDD'), '')
                || coalesce(' #c' || category_id || 'y' || to_char(published_at, 'YYYY'), '')
                || coalesce(' #a' || author_id || 'y' || to_char(published_at, 'YYYY'), ''))
$$;

CREATE TABLE article_search_faceted (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    standfirst TEXT NOT NULL,
    body       TEXT NOT NULL,
    facets     TEXT NOT NULL DEFAULT '',
    document   tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, standfirst), 'B') ||
        setweight(to_tsvector('simple'::regconfig, body), 'C') ||
        array_to_tsvector(string_to_array(facets, ' '))
    ) STORED
);

INSERT INTO article_search_faceted (article_id, title, standfirst, body, facets)
SELECT s.article_id, s.title, s.standfirst, s.body,
       article_search_facets_of(a.category_id, a.author_id, a.published_at)
FROM article_search s JOIN articles a ON a.id = s.article_id;

DROP TABLE article_search;
ALTER TABLE article_search_faceted RENAME TO article_search;
ALTER INDEX article_search_faceted_pkey RENAME TO article_search_pkey;
ALTER TABLE article_search RENAME CONSTRAINT article_search_faceted_article_id_fkey
    TO article_search_article_id_fkey;
-- As 2026-11-29-000011 set it: a short pending list.
CREATE INDEX article_search_document_idx ON article_search USING GIN (document)
    WITH (gin_pending_list_limit = 256);

CREATE FUNCTION article_search_facets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_search
    SET facets = article_search_facets_of(NEW.category_id, NEW.author_id, NEW.published_at)
    WHERE article_id = NEW.id;
    RETURN NULL;
END;
$$;

-- Every writer that moves an article to another category, author or day
-- (not only a save, which indexes the article again anyway) keeps its facets.
CREATE TRIGGER article_search_facets
AFTER UPDATE OF category_id, author_id, published_at ON articles
FOR EACH ROW
WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id
      OR OLD.author_id IS DISTINCT FROM NEW.author_id
      OR date_trunc('day', OLD.published_at) IS DISTINCT FROM date_trunc('day', NEW.published_at))
EXECUTE FUNCTION article_search_facets();

-- The planner weighs a search by the lexemes' frequencies: let it know the
-- facets' before the first search.
ANALYZE article_search;
