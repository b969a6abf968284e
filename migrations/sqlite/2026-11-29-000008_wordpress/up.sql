-- WordPress import (SQLite). Keep in step with ../../postgres/ (same names, same columns).
--
-- One row per WordPress item that `gazette import wordpress` brought in: a post
-- or page (→ `article_id`) or an attachment (→ `media_id`). The row is what makes
-- a re-run recognise the item (`source` + `wp_post_id`, unique), tells whether
-- it changed since (`fingerprint`) or was edited in Gazette since
-- (`article_version` ≠ the article's current version), and drives the redirects
-- from old WordPress URLs: `/?p=ID` (wp_post_id), `/%postname%/` and
-- `/YYYY/MM[/DD]/slug/` (wp_slug), and the item's own permalink (old_path).
--
-- Deleting the article or image keeps the row with the target emptied, so a
-- re-run does not bring back what an editor removed.
CREATE TABLE wordpress_imports (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The export's site URL (wp:base_site_url), lower-case, without trailing slash.
    source          TEXT NOT NULL,
    wp_post_id      BIGINT NOT NULL,
    -- post, page or attachment.
    post_type       TEXT NOT NULL,
    -- wp:post_name, percent-decoded and lower-case ('' when WordPress had none).
    wp_slug         TEXT NOT NULL DEFAULT '',
    -- Path of the item's permalink (or file URL), decoded, lower-case, without
    -- trailing slash ('' when it had none, e.g. plain `?p=` permalinks).
    old_path        TEXT NOT NULL DEFAULT '',
    article_id      INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    article_version INTEGER,
    media_id        INTEGER REFERENCES media (id) ON DELETE SET NULL,
    -- SHA-256 of what the last import wrote (hex).
    fingerprint     TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (source, wp_post_id)
);
CREATE INDEX wordpress_imports_post_idx ON wordpress_imports (wp_post_id);
CREATE INDEX wordpress_imports_slug_idx ON wordpress_imports (wp_slug);
CREATE INDEX wordpress_imports_path_idx ON wordpress_imports (old_path);
CREATE INDEX wordpress_imports_article_idx ON wordpress_imports (article_id);
CREATE INDEX wordpress_imports_media_idx ON wordpress_imports (media_id);
