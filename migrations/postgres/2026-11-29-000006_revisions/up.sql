-- Article revisions (PostgreSQL). Keep in step with ../../sqlite/ (same names, same columns).
--
-- One row per successful save of an article: the whole article as JSON
-- (`snapshot`: the editor's input with sections and related links, plus the
-- status), who saved it and when. `number` counts 1, 2, 3, … per article and is
-- never reused; pruning (the `revisions.keep` setting) removes the oldest rows.
--
-- Deleting an article deletes its history too (ON DELETE CASCADE): a deleted
-- article cannot be restored from the admin panel, and keeping the full text of
-- removed articles (often removed for legal reasons) would be a liability.
-- Deleting a user keeps the revisions they saved, with the author emptied.
CREATE TABLE revisions (
    id         SERIAL PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    author_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    version    INTEGER NOT NULL,
    snapshot   TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    UNIQUE (article_id, number)
);
CREATE INDEX revisions_author_idx ON revisions (author_id);
