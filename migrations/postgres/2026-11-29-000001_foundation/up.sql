-- Gazette foundation schema (PostgreSQL). Keep in step with ../../sqlite/ (same names, same columns).
-- Timestamps are UTC, stored as TIMESTAMP (without time zone).

CREATE TABLE users (
    id            SERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    slug          TEXT NOT NULL UNIQUE,
    bio           TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('administrator', 'editor', 'author', 'contributor')),
    password_hash TEXT,
    is_sample     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE categories (
    id          SERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    is_sample   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE articles (
    id           SERIAL PRIMARY KEY,
    title        TEXT NOT NULL,
    slug         TEXT NOT NULL UNIQUE,
    standfirst   TEXT NOT NULL DEFAULT '',
    author_id    INTEGER NOT NULL REFERENCES users (id),
    category_id  INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    published_at TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    is_sample    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX articles_public_idx ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_category_idx ON articles (category_id, status, published_at DESC);
CREATE INDEX articles_author_idx ON articles (author_id, status, published_at DESC);

CREATE TABLE sections (
    id            SERIAL PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    heading       TEXT,
    anchor        TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    UNIQUE (article_id, position)
);

CREATE TABLE related_links (
    id                SERIAL PRIMARY KEY,
    article_id        INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    target_article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    url               TEXT,
    title             TEXT,
    CHECK (target_article_id IS NULL OR target_article_id <> article_id),
    CHECK ((target_article_id IS NOT NULL) OR (url IS NOT NULL AND title IS NOT NULL)),
    UNIQUE (article_id, position)
);
CREATE INDEX related_links_target_idx ON related_links (target_article_id);

CREATE TABLE sessions (
    id           SERIAL PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE login_attempts (
    id           SERIAL PRIMARY KEY,
    throttle_key TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_key_idx ON login_attempts (throttle_key, attempted_at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
