-- Who to contact at a partner and the needs (codes of data/needs.toml, a JSON array) its
-- partnership addresses; and, per audited write, the stored records it changed, field by
-- field with the values before and after (a JSON array of {record, id, fields, cleared}).
ALTER TABLE partners ADD COLUMN contact_name TEXT;
ALTER TABLE partners ADD COLUMN contact_email TEXT;
ALTER TABLE partners ADD COLUMN contact_phone TEXT;
ALTER TABLE partners ADD COLUMN needs TEXT NOT NULL DEFAULT '[]';
ALTER TABLE audit ADD COLUMN changes TEXT;
