-- Per-article SEO overrides. Empty means "use the default": the title for
-- meta_title, the standfirst for meta_description.
ALTER TABLE articles ADD COLUMN meta_title TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN meta_description TEXT NOT NULL DEFAULT '';
