-- The API keeps an in-process full-text index beside PostgreSQL (api/src/search/index.rs).
-- It catches up before each search it answers by reading the listings whose searchable
-- content or visibility changed since it last looked: `search_changed` is the transaction
-- that last changed them (xid8 never wraps). Reading `search_changed >= xmin` of the
-- previous read's snapshot finds every change committed since, in whatever order the
-- transactions committed (a timestamp or a sequence can commit out of order and be missed).

ALTER TABLE listings ADD COLUMN search_changed xid8 NOT NULL DEFAULT pg_current_xact_id();

CREATE FUNCTION listings_search_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- Only what the index holds: view counts and other bookkeeping leave it alone.
    IF TG_OP = 'INSERT' OR (NEW.status, NEW.published_at, NEW.sold_at, NEW.category_id,
            NEW.price_amount, NEW.make, NEW.model, NEW.year, NEW.country, NEW.title,
            NEW.description, NEW.registration, NEW.airfield_icao, NEW.city)
        IS DISTINCT FROM (OLD.status, OLD.published_at, OLD.sold_at, OLD.category_id,
            OLD.price_amount, OLD.make, OLD.model, OLD.year, OLD.country, OLD.title,
            OLD.description, OLD.registration, OLD.airfield_icao, OLD.city) THEN
        NEW.search_changed := pg_current_xact_id();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER listings_search_changed BEFORE INSERT OR UPDATE ON listings
    FOR EACH ROW EXECUTE FUNCTION listings_search_changed();

CREATE INDEX listings_search_changed_idx ON listings (search_changed);

-- A seller suspended, deleted or restored changes whether their listings can be found.
CREATE FUNCTION users_search_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE listings SET search_changed = pg_current_xact_id() WHERE seller_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_search_changed AFTER UPDATE OF status ON users
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION users_search_changed();

-- Ranking reads the document of each of the 300 candidates: pglz made decompressing it cost
-- more than ranking it (8 µs a listing against 3 with lz4). Rows written from now on
-- (and all of a fresh load) are compressed with lz4; older ones when next changed.
ALTER TABLE listings ALTER COLUMN search_document SET COMPRESSION lz4;
