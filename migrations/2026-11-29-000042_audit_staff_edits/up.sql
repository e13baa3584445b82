-- Staff editing, deleting or changing the photos of another member's listing through the
-- listing routes is in the audit log too. Those routes take no note, so these actions need
-- none (the listing's events keep what changed).
ALTER TABLE moderation_audit DROP CONSTRAINT moderation_audit_action_check;
ALTER TABLE moderation_audit ADD CONSTRAINT moderation_audit_action_check CHECK (action IN
    ('dismiss', 'hide_listing', 'suspend_seller', 'approve_listing', 'reject_listing',
     'unhide_listing', 'suspend_user', 'reinstate_user', 'change_role', 'listing_edited',
     'listing_deleted', 'photo_added', 'photos_reordered', 'photo_removed'));
ALTER TABLE moderation_audit DROP CONSTRAINT moderation_audit_note_required;
ALTER TABLE moderation_audit ADD CONSTRAINT moderation_audit_note_required CHECK
    (note IS NOT NULL OR action IN ('approve_listing', 'reinstate_user', 'change_role',
     'listing_edited', 'listing_deleted', 'photo_added', 'photos_reordered', 'photo_removed'));
