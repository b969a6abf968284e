-- Media library (PostgreSQL). Keep in step with ../../sqlite/ (same names, same columns).
--
-- One row per distinct uploaded file (`content_hash` is the SHA-256 of its
-- bytes, so the same file uploaded twice is stored once). The files live in
-- the media store under keys derived from that hash; `storage_key` names the
-- private original, `variants` lists the served resized copies as JSON
-- (`[{"key", "width", "height", "mime", "bytes"}]`).
--
-- Deleting a user keeps their uploads (uploader emptied). Deleting an image
-- empties the cover of any article using it (the application refuses to
-- delete an image in use; this is the safety net).
CREATE TABLE media (
    id            SERIAL PRIMARY KEY,
    content_hash  TEXT NOT NULL UNIQUE,
    storage_key   TEXT NOT NULL,
    original_name TEXT NOT NULL,
    mime          TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/gif', 'image/webp')),
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    bytes         BIGINT NOT NULL,
    alt           TEXT NOT NULL,
    variants      TEXT NOT NULL DEFAULT '[]',
    uploader_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX media_created_idx ON media (created_at DESC, id DESC);
CREATE INDEX media_uploader_idx ON media (uploader_id);

ALTER TABLE articles ADD COLUMN cover_media_id INTEGER REFERENCES media (id) ON DELETE SET NULL;
CREATE INDEX articles_cover_idx ON articles (cover_media_id);
