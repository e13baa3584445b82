-- The facet aggregate (listing_facet_counts) was recounted every FACETS_REFRESH_MS whether
-- or not anything had changed: at a million listings a recount is seconds of one core, taken
-- from the searches running beside it. It is now recounted only when a listing or a seller
-- changed something it counts. `search_changed` (the transaction that last changed what
-- search reads, set by the triggers of 2026-11-29-000060) already covers every column the
-- aggregate groups or filters by: status, category, make, country, price and year, and a
-- seller's status.

CREATE TABLE listing_facet_counts_state (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    -- Every change made by a transaction older than this is in the aggregate (the oldest
    -- transaction still running when the last recount began: anything it or a later one
    -- writes has search_changed >= it).
    counted_before xid8 NOT NULL,
    refreshed_at timestamptz NOT NULL
);

-- 'refreshed', 'unchanged' (nothing counted has changed since the last recount), or 'busy'
-- (another process is recounting: a replica skips its turn).
CREATE FUNCTION refresh_listing_facet_counts() RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
    since xid8;
    horizon xid8;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('hangar:refresh listing_facet_counts')) THEN
        RETURN 'busy';
    END IF;
    SELECT counted_before INTO since FROM listing_facet_counts_state;
    -- One probe of listings_search_changed_idx.
    IF since IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM listings WHERE search_changed >= since) THEN
        RETURN 'unchanged';
    END IF;
    -- Taken before the recount's own snapshot, so never later than what it sees.
    horizon := pg_snapshot_xmin(pg_current_snapshot());
    REFRESH MATERIALIZED VIEW CONCURRENTLY listing_facet_counts;
    INSERT INTO listing_facet_counts_state (counted_before, refreshed_at)
        VALUES (horizon, now())
        ON CONFLICT (only_row)
        DO UPDATE SET counted_before = EXCLUDED.counted_before,
                      refreshed_at = EXCLUDED.refreshed_at;
    RETURN 'refreshed';
END
$$;
