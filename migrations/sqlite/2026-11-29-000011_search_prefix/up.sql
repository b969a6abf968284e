-- Prefix indexes for the last word of a search. Keep in step with ../../postgres/.
--
-- A search's last word also matches as a prefix ("counc" finds "council").
-- Without a prefix index FTS5 answers `"counc"*` by reading the doclist of
-- every indexed word that starts with "counc" and merging them in memory
-- before it returns the first row: at a million articles that took 30 ms and
-- more per statement, and 0.6-4 s per results page. With prefix = '2 3 4 5 6'
-- a prefix of 2 to 6 characters is one entry of its own index, read newest
-- first and stopped at the page like a whole word. (FTS5 uses a prefix index
-- only for prefixes of exactly its length: longer prefixes still merge, but
-- they start far fewer words.) Each length costs about the size of the main
-- index again (measured with the seeded data: 0.5 GB of index becomes 2.6 GB
-- at a million articles).
--
-- FTS5 options cannot be altered, so the table is built again from its own
-- columns (the text the last save indexed) under a new name, then renamed.
-- At a million seeded articles this took 2.5 minutes (2 busy cores), and the
-- file grew from 7.0 to 11.7 GB: the old table's pages stay in the file as
-- free pages, reused by later writes (VACUUM returns them to the system).
DROP TRIGGER article_search_delete;

CREATE VIRTUAL TABLE article_search_prefixed USING fts5(
    title,
    standfirst,
    body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6'
);

INSERT INTO article_search_prefixed (rowid, title, standfirst, body)
SELECT rowid, title, standfirst, body FROM article_search;

DROP TABLE article_search;
ALTER TABLE article_search_prefixed RENAME TO article_search;

CREATE TRIGGER article_search_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM article_search WHERE rowid = old.id;
END;
