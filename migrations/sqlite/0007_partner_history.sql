-- Every change of a partner's partnership level or stage: from, to, when, who (the audit
-- record's actor), by which write (`via`: the audit action, e.g. edit_partner or
-- merge_partners) at which data version, and the editor's optional note.
CREATE TABLE partner_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id   TEXT NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    field        TEXT NOT NULL,
    from_value   TEXT,
    to_value     TEXT,
    note         TEXT,
    via          TEXT NOT NULL,
    data_version INTEGER NOT NULL
);
CREATE INDEX partner_history_partner ON partner_history(partner_id, id);
