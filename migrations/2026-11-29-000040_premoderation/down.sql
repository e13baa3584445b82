-- Fails once the new actions are in the audit log: that log cannot be rewritten, by design.
ALTER TABLE moderation_audit DROP CONSTRAINT moderation_audit_note_required;
ALTER TABLE moderation_audit ALTER COLUMN note SET NOT NULL;
ALTER TABLE moderation_audit DROP CONSTRAINT moderation_audit_action_check;
ALTER TABLE moderation_audit ADD CONSTRAINT moderation_audit_action_check CHECK (action IN
    ('dismiss', 'hide_listing', 'suspend_seller'));
DELETE FROM notifications WHERE kind IN ('listing_rejected', 'listing_restored');
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN
    ('new_match', 'price_drop', 'new_message', 'listing_expiring', 'listing_hidden'));
DROP TRIGGER listings_first_published ON listings;
DROP FUNCTION users_first_published();
ALTER TABLE users DROP COLUMN first_published_at;
DROP INDEX listings_pending_idx;
UPDATE listings SET status = 'draft' WHERE status IN ('pending_review', 'rejected');
ALTER TABLE listings DROP CONSTRAINT listings_rejected_note, DROP CONSTRAINT listings_pending_submitted,
    DROP COLUMN hidden_from, DROP COLUMN rejection_note, DROP COLUMN submitted_at;
ALTER TABLE listings DROP CONSTRAINT listings_status_check;
ALTER TABLE listings ADD CONSTRAINT listings_status_check CHECK (status IN
    ('draft', 'published', 'reserved', 'sold', 'expired', 'withdrawn', 'deleted', 'hidden'));
