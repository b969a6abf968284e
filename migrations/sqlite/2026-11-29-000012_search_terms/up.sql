-- The words of the search index, for prefixes longer than its prefix indexes.
-- Keep in step with ../../postgres/ (the same table, for every prefix there).
--
-- FTS5 answers a prefix of 7 or more characters ("governm") by merging the
-- doclist of every indexed word it starts, whole, before the first row: 57-96
-- ms per search at a million seeded articles. Searches now look the words up
-- here and ask for "any of them", which streams (cms-core/src/search/vocab.rs).
-- The table must hold every indexed word: it is filled here from the index's
-- own vocabulary, and every later write of article_search adds its words.
-- (At a million seeded articles this fill reads the whole index once.)
CREATE TABLE search_terms (
    term TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.article_search_terms
    USING fts5vocab('main', 'article_search', 'row');

INSERT INTO search_terms (term)
SELECT term FROM temp.article_search_terms;

DROP TABLE temp.article_search_terms;
