-- Favourites: a member keeps an eye on a listing. The price when saved is kept, so the list
-- can show the change since; `alert_amount` is the lowest price the member has been told
-- about (the saved price, then each notified drop): the alerts job notifies a price below it.

CREATE TABLE favorites (
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    listing_id      uuid NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- The price when saved; NULL when it was on request.
    saved_amount    bigint CHECK (saved_amount >= 0),
    saved_currency  char(3) NOT NULL CHECK (saved_currency IN ('EUR', 'CHF', 'GBP', 'USD')),
    alert_amount    bigint CHECK (alert_amount >= 0),
    alert_currency  char(3) NOT NULL CHECK (alert_currency IN ('EUR', 'CHF', 'GBP', 'USD')),
    PRIMARY KEY (user_id, listing_id)
);
-- A member's list, newest first (keyset on created_at, listing_id).
CREATE INDEX favorites_user_created_idx ON favorites (user_id, created_at DESC, listing_id DESC);
-- The alerts job and the count go by listing.
CREATE INDEX favorites_listing_idx ON favorites (listing_id);

-- listings.favourite_count follows the rows, whatever removes them (a member, the purge of a
-- listing, the erasure of an account).
CREATE FUNCTION favorites_count() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE listings SET favourite_count = favourite_count + 1 WHERE id = NEW.listing_id;
    ELSE
        UPDATE listings SET favourite_count = favourite_count - 1 WHERE id = OLD.listing_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER favorites_count AFTER INSERT OR DELETE ON favorites
    FOR EACH ROW EXECUTE FUNCTION favorites_count();
