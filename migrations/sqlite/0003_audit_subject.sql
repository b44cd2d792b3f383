-- What a write was about, kept apart from its display text: the geography, year or feed
-- (`subject`) and the uploaded files (`files`, a JSON array of names), so the report can
-- state its sources without reading them back out of `target`.
ALTER TABLE audit ADD COLUMN subject TEXT;
ALTER TABLE audit ADD COLUMN files TEXT;
