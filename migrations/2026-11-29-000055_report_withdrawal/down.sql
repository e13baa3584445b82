DROP INDEX listing_reports_reporter_idx;
CREATE INDEX listing_reports_reporter_idx ON listing_reports (reporter_id, created_at);
-- The older schema has no way to say "withdrawn": those reports go.
DELETE FROM listing_reports WHERE state = 'withdrawn';
ALTER TABLE listing_reports DROP CONSTRAINT listing_reports_withdrawn_at;
ALTER TABLE listing_reports DROP COLUMN withdrawn_at;
ALTER TABLE listing_reports DROP CONSTRAINT listing_reports_state_check;
ALTER TABLE listing_reports ADD CONSTRAINT listing_reports_state_check
    CHECK (state IN ('open', 'resolved'));
