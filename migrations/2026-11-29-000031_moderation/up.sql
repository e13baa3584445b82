-- Moderation: reports are resolved (dismiss, hide the listing, suspend the seller) with a
-- note; listings can be hidden by a moderator; every moderator action is written to an
-- append-only audit log.

-- `hidden`: taken off the site by a moderator. Only its seller and moderators still read it;
-- the seller cannot publish it again (no lifecycle step leaves `hidden`).
ALTER TABLE listings DROP CONSTRAINT listings_status_check;
ALTER TABLE listings ADD CONSTRAINT listings_status_check CHECK (status IN
    ('draft', 'published', 'reserved', 'sold', 'expired', 'withdrawn', 'deleted', 'hidden'));

-- How a report was resolved: by whom (no foreign key: the record outlives the account), with
-- which action and note. Resolving one report resolves every open report on its listing.
ALTER TABLE listing_reports
    ADD COLUMN resolved_by uuid,
    ADD COLUMN resolution text CHECK (resolution IN ('dismiss', 'hide_listing', 'suspend_seller')),
    ADD COLUMN note text CHECK (note IS NULL OR char_length(note) BETWEEN 1 AND 2000);
ALTER TABLE listing_reports ADD CONSTRAINT listing_reports_resolution CHECK
    ((state = 'resolved') = (resolved_by IS NOT NULL AND resolution IS NOT NULL AND note IS NOT NULL));

-- Every moderator action. No foreign keys, so that neither an account's erasure nor a
-- listing's purge rewrites it; the triggers below refuse UPDATE, DELETE and TRUNCATE, for
-- every database role, the API's included.
CREATE TABLE moderation_audit (
    id              uuid PRIMARY KEY,
    moderator_id    uuid NOT NULL,
    action          text NOT NULL CHECK (action IN ('dismiss', 'hide_listing', 'suspend_seller')),
    -- What it was about: the listing and its seller.
    listing_id      uuid,
    target_user_id  uuid,
    -- How many open reports it resolved.
    reports         integer NOT NULL CHECK (reports >= 0),
    note            text NOT NULL CHECK (char_length(note) BETWEEN 1 AND 2000),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moderation_audit_created_idx ON moderation_audit (created_at DESC, id DESC);
CREATE INDEX moderation_audit_moderator_idx ON moderation_audit (moderator_id, created_at DESC, id DESC);
CREATE INDEX moderation_audit_listing_idx ON moderation_audit (listing_id) WHERE listing_id IS NOT NULL;
CREATE INDEX moderation_audit_user_idx ON moderation_audit (target_user_id) WHERE target_user_id IS NOT NULL;

CREATE FUNCTION moderation_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'moderation_audit is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER moderation_audit_no_change BEFORE UPDATE OR DELETE ON moderation_audit
    FOR EACH ROW EXECUTE FUNCTION moderation_audit_append_only();
CREATE TRIGGER moderation_audit_no_truncate BEFORE TRUNCATE ON moderation_audit
    FOR EACH STATEMENT EXECUTE FUNCTION moderation_audit_append_only();
