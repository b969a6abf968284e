-- Full-text search (SQLite FTS5). Keep in step with ../../postgres/ (same table name).
--
-- One row per article, rowid = articles.id. The columns hold plain text:
-- cms_core::search::reindex writes them on every save (section Markdown turned
-- into text there); the delete trigger below removes a row with its article.
-- Tokenizer: unicode61, case- and accent-insensitive, no stemming (the
-- PostgreSQL side uses the 'simple' configuration for the same reason: news
-- is written in many languages, and both databases should find the same words).
CREATE VIRTUAL TABLE article_search USING fts5(
    title,
    standfirst,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER article_search_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM article_search WHERE rowid = old.id;
END;

-- Backfill. Section bodies go in as Markdown here (the tokenizer skips its
-- punctuation); the next save of each article stores them as plain text.
INSERT INTO article_search (rowid, title, standfirst, body)
SELECT a.id,
       a.title,
       a.standfirst,
       coalesce((SELECT substr(group_concat(coalesce(s.heading || char(10), '') || s.body_markdown,
                                            char(10) ORDER BY s.position), 1, 200000)
                   FROM sections s
                  WHERE s.article_id = a.id), '')
  FROM articles a;
