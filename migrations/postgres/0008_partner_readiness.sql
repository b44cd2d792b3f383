-- The answers to the partnership readiness questions, per partner: a JSON object
-- {need_for_change, ideas, benefits, challenges}, each {text, date} or null.
ALTER TABLE partners ADD COLUMN readiness TEXT NOT NULL DEFAULT '{}';
