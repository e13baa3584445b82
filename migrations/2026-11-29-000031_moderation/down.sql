DROP TABLE moderation_audit;
DROP FUNCTION moderation_audit_append_only();
ALTER TABLE listing_reports DROP CONSTRAINT listing_reports_resolution,
    DROP COLUMN resolved_by, DROP COLUMN resolution, DROP COLUMN note;
UPDATE listings SET status = 'withdrawn' WHERE status = 'hidden';
ALTER TABLE listings DROP CONSTRAINT listings_status_check;
ALTER TABLE listings ADD CONSTRAINT listings_status_check CHECK (status IN
    ('draft', 'published', 'reserved', 'sold', 'expired', 'withdrawn', 'deleted'));
