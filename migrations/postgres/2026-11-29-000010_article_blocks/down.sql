DROP TRIGGER article_blocks_update ON articles;
DROP TRIGGER article_blocks_delete ON articles;
DROP TRIGGER article_blocks_insert ON articles;
DROP FUNCTION article_blocks_mark();
DROP TABLE article_blocks;
