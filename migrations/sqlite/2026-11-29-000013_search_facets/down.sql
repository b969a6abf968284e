-- Back to the table of 2026-11-29-000011_search_prefix, without facets.
DROP TRIGGER article_search_facets;
DROP TRIGGER article_search_delete;

CREATE VIRTUAL TABLE article_search_unfaceted USING fts5(
    title,
    standfirst,
    body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6'
);

INSERT INTO article_search_unfaceted (rowid, title, standfirst, body)
SELECT rowid, title, standfirst, body FROM article_search;

DROP TABLE article_search;
ALTER TABLE article_search_unfaceted RENAME TO article_search;

CREATE TRIGGER article_search_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM article_search WHERE rowid = old.id;
END;
