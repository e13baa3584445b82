-- Pre-moderation and the moderator's other listing actions.
--
-- `pending_review`: the seller asked to publish, but PREMODERATE_NEW_SELLERS holds the first
-- listings of sellers who never had one published until a moderator approves one. Not public.
-- `rejected`: a moderator refused it, with a note the seller reads; the seller may edit it and
-- submit it again, withdraw or delete it. Not public.
ALTER TABLE listings DROP CONSTRAINT listings_status_check;
ALTER TABLE listings ADD CONSTRAINT listings_status_check CHECK (status IN
    ('draft', 'pending_review', 'rejected', 'published', 'reserved', 'sold', 'expired',
     'withdrawn', 'deleted', 'hidden'));
ALTER TABLE listings
    -- When it last entered `pending_review` (the queue's order).
    ADD COLUMN submitted_at timestamptz,
    -- The moderator's note of the last rejection, for the seller.
    ADD COLUMN rejection_note text CHECK (rejection_note IS NULL OR char_length(rejection_note) BETWEEN 1 AND 2000),
    -- The status a listing had when a moderator hid it, restored when it is unhidden.
    ADD COLUMN hidden_from text CHECK (hidden_from IS NULL OR hidden_from IN
        ('draft', 'pending_review', 'rejected', 'published', 'reserved', 'sold', 'expired', 'withdrawn'));
ALTER TABLE listings ADD CONSTRAINT listings_pending_submitted CHECK
    (status <> 'pending_review' OR submitted_at IS NOT NULL);
ALTER TABLE listings ADD CONSTRAINT listings_rejected_note CHECK
    (status <> 'rejected' OR rejection_note IS NOT NULL);
CREATE INDEX listings_pending_idx ON listings (submitted_at, id) WHERE status = 'pending_review';

-- When a listing of this member was first published (directly, or approved by a moderator):
-- pre-moderation holds the listings of members without it. Kept by the trigger below
-- whatever path publishes, so no code path can forget it; it never goes back to NULL.
ALTER TABLE users ADD COLUMN first_published_at timestamptz;
UPDATE users u SET first_published_at = l.first
    FROM (SELECT seller_id, min(published_at) AS first FROM listings
          WHERE published_at IS NOT NULL GROUP BY seller_id) l
    WHERE l.seller_id = u.id;

CREATE FUNCTION users_first_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET first_published_at = NEW.published_at
        WHERE id = NEW.seller_id AND first_published_at IS NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER listings_first_published AFTER INSERT OR UPDATE OF published_at ON listings
    FOR EACH ROW WHEN (NEW.published_at IS NOT NULL) EXECUTE FUNCTION users_first_published();

-- The seller hears of a rejection and of a hidden listing put back.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN
    ('new_match', 'price_drop', 'new_message', 'listing_expiring', 'listing_hidden',
     'listing_rejected', 'listing_restored'));

-- The audit log records the new actions (and the administrators' account actions). An
-- approval needs no note; every other action keeps one. (DDL: the append-only triggers refuse
-- changes to rows, not to the table's definition.)
ALTER TABLE moderation_audit DROP CONSTRAINT moderation_audit_action_check;
ALTER TABLE moderation_audit ADD CONSTRAINT moderation_audit_action_check CHECK (action IN
    ('dismiss', 'hide_listing', 'suspend_seller', 'approve_listing', 'reject_listing',
     'unhide_listing', 'suspend_user', 'reinstate_user', 'change_role'));
ALTER TABLE moderation_audit ALTER COLUMN note DROP NOT NULL;
ALTER TABLE moderation_audit ADD CONSTRAINT moderation_audit_note_required CHECK
    (note IS NOT NULL OR action IN ('approve_listing', 'reinstate_user', 'change_role'));
