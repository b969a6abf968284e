-- Filters inside the search index. Keep in step with ../../postgres/ (which
-- needs no change) and with FACETS_SQL in cms-core/src/search/mod.rs.
--
-- A search with a filter (a category, an author, a date range) read the
-- matches of its words newest first and looked up every one's article to test
-- the filter: a date range in the past read every newer match first (0.2-1.7 s
-- at a million articles), and a small category with a common word nearly as
-- many. A fourth column now holds each article's filter values as words:
-- c<category id>, a<author id>, and y<year>, m<year><month> and d<year><month><day>
-- of its publication.
-- A filtered search adds them to the full-text query (facets : "c3"), and
-- FTS5 skips from one article that has both to the next through its doclist
-- index. The filters are still tested on the article itself, so a facet only
-- ever narrows where to look.
--
-- FTS5 options and columns cannot be altered, so the table is built again
-- from its own rows under a new name, then renamed (as 000011 did: about three
-- minutes at a million seeded articles).
DROP TRIGGER article_search_delete;

CREATE VIRTUAL TABLE article_search_faceted USING fts5(
    title,
    standfirst,
    body,
    facets,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6'
);

INSERT INTO article_search_faceted (rowid, title, standfirst, body, facets)
SELECT s.rowid, s.title, s.standfirst, s.body,
       trim(coalesce('c' || a.category_id, '') || coalesce(' a' || a.author_id, '')
            || coalesce(strftime(' y%Y m%Y%m d%Y%m%d', a.published_at), ''))
FROM article_search s JOIN articles a ON a.id = s.rowid;

DROP TABLE article_search;
ALTER TABLE article_search_faceted RENAME TO article_search;

CREATE TRIGGER article_search_delete AFTER DELETE ON articles
BEGIN
    DELETE FROM article_search WHERE rowid = old.id;
END;

-- Every writer that moves an article to another category, author or day
-- (not only a save, which indexes the article again anyway) keeps its facets.
CREATE TRIGGER article_search_facets AFTER UPDATE OF category_id, author_id, published_at ON articles
WHEN old.category_id IS NOT new.category_id
  OR old.author_id IS NOT new.author_id
  OR strftime('%Y%m%d', old.published_at) IS NOT strftime('%Y%m%d', new.published_at)
BEGIN
    UPDATE article_search
    SET facets = trim(coalesce('c' || new.category_id, '') || coalesce(' a' || new.author_id, '')
                      || coalesce(strftime(' y%Y m%Y%m d%Y%m%d', new.published_at), ''))
    WHERE rowid = new.id;
END;
