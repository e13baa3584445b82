-- Members withdraw their own open reports. The row stays, as `withdrawn` with its time, so the
-- record of who reported what survives; the moderators' queue and report counts leave it out.
-- The one-open-report index covers `open` rows only, so a member may report the listing again.
ALTER TABLE listing_reports DROP CONSTRAINT listing_reports_state_check;
ALTER TABLE listing_reports ADD CONSTRAINT listing_reports_state_check
    CHECK (state IN ('open', 'resolved', 'withdrawn'));
ALTER TABLE listing_reports ADD COLUMN withdrawn_at timestamptz;
ALTER TABLE listing_reports ADD CONSTRAINT listing_reports_withdrawn_at
    CHECK ((state = 'withdrawn') = (withdrawn_at IS NOT NULL));

-- A member's own reports, newest first by the keyset (created_at, id); the daily cap's count
-- uses the same index.
DROP INDEX listing_reports_reporter_idx;
CREATE INDEX listing_reports_reporter_idx ON listing_reports (reporter_id, created_at, id);
