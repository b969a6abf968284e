DROP TRIGGER article_search_delete;
DROP TABLE article_search;
