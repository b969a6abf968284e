-- The words of the search index, for a search whose last word is a prefix.
-- Keep in step with ../../sqlite/ (the same table, for the same searches).
--
-- PostgreSQL has no statistics for a prefix ('gov':*): the planner guessed
-- that it matches many documents and walked article_search newest first,
-- testing every tsvector, so a prefix that matches nothing or little read the
-- whole table (2.5-3 s at a million articles). Searches now look up the words
-- the prefix completes to here and ask for those words ('gov' | 'government'),
-- which the statistics know. The table must hold every indexed word: it is
-- filled here from the index and every later write of article_search adds
-- the words of its rows (cms-core/src/search/vocab.rs). COLLATE "C" orders the
-- words bytewise, so the words that start with a prefix are one range.
CREATE TABLE search_terms (
    term TEXT COLLATE "C" PRIMARY KEY
);

INSERT INTO search_terms (term)
SELECT word FROM ts_stat('SELECT document FROM article_search');
