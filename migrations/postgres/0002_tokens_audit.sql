-- Access tokens (stored as SHA-256 digests, never in clear) and the audit record of writes.
CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    digest     TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE audit (
    id           BIGSERIAL PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    target       TEXT NOT NULL,
    data_version BIGINT NOT NULL,
    added        BIGINT NOT NULL,
    changed      BIGINT NOT NULL,
    removed      BIGINT NOT NULL,
    unchanged    BIGINT NOT NULL
);
