-- Back to the table of 2026-11-29-000004_search, without facets.
DROP TRIGGER article_search_facets ON articles;
DROP FUNCTION article_search_facets();

CREATE TABLE article_search_unfaceted (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    standfirst TEXT NOT NULL,
    body       TEXT NOT NULL,
    document   tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, standfirst), 'B') ||
        setweight(to_tsvector('simple'::regconfig, body), 'C')
    ) STORED
);

INSERT INTO article_search_unfaceted (article_id, title, standfirst, body)
SELECT article_id, title, standfirst, body FROM article_search;

DROP TABLE article_search;
DROP FUNCTION article_search_facets_of(INTEGER, INTEGER, TIMESTAMP);
ALTER TABLE article_search_unfaceted RENAME TO article_search;
ALTER INDEX article_search_unfaceted_pkey RENAME TO article_search_pkey;
ALTER TABLE article_search RENAME CONSTRAINT article_search_unfaceted_article_id_fkey
    TO article_search_article_id_fkey;
CREATE INDEX article_search_document_idx ON article_search USING GIN (document)
    WITH (gin_pending_list_limit = 256);
