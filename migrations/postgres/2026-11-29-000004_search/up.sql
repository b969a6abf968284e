-- Full-text search (PostgreSQL). Keep in step with ../../sqlite/ (same table name).
--
-- One row per article. title/standfirst/body hold plain text written by
-- cms_core::search::reindex on every save; `document` is derived from them by
-- the database, so it can never disagree with the text that ts_headline reads.
-- Weights: A title, B standfirst, C body (headings and sections).
-- Configuration 'simple': no stemming and no stop words, because news is
-- written in many languages; it matches SQLite's unicode61 tokenizer closely.
-- (unaccent is an extension that may not be installed, so accents count here.)
CREATE TABLE article_search (
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
CREATE INDEX article_search_document_idx ON article_search USING GIN (document);

-- Backfill. Section bodies go in as Markdown here (the parser skips its
-- punctuation); the next save of each article stores them as plain text.
INSERT INTO article_search (article_id, title, standfirst, body)
SELECT a.id,
       a.title,
       a.standfirst,
       coalesce((SELECT left(string_agg(coalesce(s.heading || E'\n', '') || s.body_markdown,
                                        E'\n' ORDER BY s.position), 200000)
                   FROM sections s
                  WHERE s.article_id = a.id), '')
  FROM articles a;
