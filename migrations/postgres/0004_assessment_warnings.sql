-- What an assessment upload was stored with but a person should look at (plausibility
-- findings, areas left out …): a JSON array of {file, row, field, message}.
ALTER TABLE assessments ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
