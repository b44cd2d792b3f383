-- Each program's own standards: the needs live in the store. The bundled data/needs.toml
-- (or `--needs FILE`) seeds an empty table on first start; `PUT /api/v1/needs/{code}`
-- replaces or adds one need. `definition` is the need as JSON (the shape of a needs.toml
-- entry); `version` starts at 1 and grows by one at every change; `position` keeps the
-- file's order, new needs last.
CREATE TABLE needs (
    code        TEXT PRIMARY KEY,
    position    INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);
