-- Plugin platform (PostgreSQL). Keep in step with ../../sqlite/ (same names, same columns).

-- One row per plugin name ever loaded: enabled state, why it was disabled
-- automatically (NULL when not), and its settings as a JSON object.
CREATE TABLE plugins (
    name           TEXT PRIMARY KEY NOT NULL,
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    failure_reason TEXT,
    settings       TEXT NOT NULL DEFAULT '{}',
    updated_at     TIMESTAMP NOT NULL
);

-- Per-plugin key-value storage; values are JSON.
CREATE TABLE plugin_kv (
    plugin     TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (plugin, key)
);

-- Per-plugin counters, only ever changed by `value = value + n` upserts so
-- several nodes can add to the same counter safely.
CREATE TABLE plugin_counters (
    plugin     TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (plugin, key)
);
