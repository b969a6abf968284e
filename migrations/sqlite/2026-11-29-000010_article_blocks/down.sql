DROP TRIGGER article_blocks_update_old;
DROP TRIGGER article_blocks_update_new;
DROP TRIGGER article_blocks_delete;
DROP TRIGGER article_blocks_insert;
DROP TABLE article_blocks;
