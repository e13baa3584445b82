-- Fails once the new actions are in the audit log: that log cannot be rewritten, by design.
ALTER TABLE moderation_audit DROP CONSTRAINT moderation_audit_note_required;
ALTER TABLE moderation_audit ADD CONSTRAINT moderation_audit_note_required CHECK
    (note IS NOT NULL OR action IN ('approve_listing', 'reinstate_user', 'change_role'));
ALTER TABLE moderation_audit DROP CONSTRAINT moderation_audit_action_check;
ALTER TABLE moderation_audit ADD CONSTRAINT moderation_audit_action_check CHECK (action IN
    ('dismiss', 'hide_listing', 'suspend_seller', 'approve_listing', 'reject_listing',
     'unhide_listing', 'suspend_user', 'reinstate_user', 'change_role'));
