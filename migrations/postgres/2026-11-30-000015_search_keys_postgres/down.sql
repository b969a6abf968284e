-- Back to 2026-11-29-000014_search_facets_postgres: the tsvector and its
-- facets in article_search again.
DROP TRIGGER article_search_keys_sync ON articles;
DROP FUNCTION article_search_keys_sync();

ALTER TABLE article_search ADD COLUMN facets TEXT NOT NULL DEFAULT '';
UPDATE article_search s
SET facets = article_search_facets_of(a.category_id, a.author_id, a.published_at)
FROM articles a WHERE a.id = s.article_id;
ALTER TABLE article_search ADD COLUMN document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, title), 'A') ||
    setweight(to_tsvector('simple'::regconfig, standfirst), 'B') ||
    setweight(to_tsvector('simple'::regconfig, body), 'C') ||
    array_to_tsvector(string_to_array(facets, ' '))
) STORED;
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

CREATE TRIGGER article_search_facets
AFTER UPDATE OF category_id, author_id, published_at ON articles
FOR EACH ROW
WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id
      OR OLD.author_id IS DISTINCT FROM NEW.author_id
      OR date_trunc('day', OLD.published_at) IS DISTINCT FROM date_trunc('day', NEW.published_at))
EXECUTE FUNCTION article_search_facets();

DROP TABLE article_search_keys;
DROP FUNCTION article_search_document_of(TEXT, TEXT, TEXT, TEXT);
ANALYZE article_search;
