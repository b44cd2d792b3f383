-- Each part of the store (geographies, assessments, the partner directory, program
-- records, travel-time matrices, needs) has its own version: the data version of the last write
-- that changed it, set in that write's transaction. An Atlas is rebuilt from the parts
-- whose version moved only, sharing the others with the Atlas before (src/atlas).
INSERT INTO meta (key, value) SELECT 'geographies_version', value FROM meta WHERE key = 'data_version';
INSERT INTO meta (key, value) SELECT 'assessments_version', value FROM meta WHERE key = 'data_version';
INSERT INTO meta (key, value) SELECT 'directory_version', value FROM meta WHERE key = 'data_version';
INSERT INTO meta (key, value) SELECT 'records_version', value FROM meta WHERE key = 'data_version';
INSERT INTO meta (key, value) SELECT 'travel_version', value FROM meta WHERE key = 'data_version';
INSERT INTO meta (key, value) SELECT 'needs_version', value FROM meta WHERE key = 'data_version';
