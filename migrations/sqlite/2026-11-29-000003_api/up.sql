-- Admin API tokens and webhooks (SQLite). Keep in step with ../../postgres/.

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    -- First characters of the token, shown in the admin list to tell tokens apart.
    token_prefix TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE webhooks (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT NOT NULL,
    url                  TEXT NOT NULL,
    -- Signing key (HMAC-SHA256), shown to administrators; not a password hash.
    secret               TEXT NOT NULL,
    -- Comma-separated event names, e.g. 'article.published,article.deleted'.
    events               TEXT NOT NULL,
    enabled              BOOLEAN NOT NULL DEFAULT 1,
    -- Failed attempts since the last success, and when that streak began.
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failing_since        TIMESTAMP,
    -- Set when Gazette disabled the webhook itself after a long failure streak.
    auto_disabled_at     TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

-- The outbox: one row per (event, webhook), written in the same transaction as
-- the change it reports, then delivered (and retried) by a background worker.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- Random UUID: the payload's "id" and the Gazette-Delivery header.
    uuid            TEXT NOT NULL UNIQUE,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    -- pending, delivered, failed (gave up), dropped (queue limit).
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A worker that claims a delivery holds it until this time (multi-node safe).
    locked_until    TIMESTAMP,
    last_status     INTEGER,
    last_error      TEXT,
    last_attempt_at TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook_idx ON webhook_deliveries (webhook_id, status, id);
