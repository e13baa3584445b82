-- Search at scale: the facet buckets as functions (one definition for live counts and the
-- aggregate), and the facet aggregate itself: visible listings counted by category, make,
-- country, price bucket and decade. A browse page ("aircraft", 300,000 listings) sums a few
-- thousand aggregate rows instead of counting its listings. The jobs task refreshes it
-- (REFRESH … CONCURRENTLY, readers never wait) every FACETS_REFRESH_MS.

CREATE FUNCTION listing_price_bucket(bigint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN $1 IS NULL THEN 'on_request'
                WHEN $1 < 2000000 THEN '0-20000'
                WHEN $1 < 5000000 THEN '20000-50000'
                WHEN $1 < 10000000 THEN '50000-100000'
                WHEN $1 < 25000000 THEN '100000-250000'
                ELSE '250000+' END
    $$;

CREATE FUNCTION listing_year_bucket(integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN $1 IS NULL THEN NULL ELSE (($1 / 10) * 10)::text || 's' END $$;

-- No NULLs in the key (REFRESH … CONCURRENTLY matches rows on the unique index): '' stands
-- for "not given".
CREATE MATERIALIZED VIEW listing_facet_counts AS
    SELECT l.category_id,
           coalesce(l.make, '') AS make,
           coalesce(l.country::text, '') AS country,
           listing_price_bucket(l.price_amount) AS price_bucket,
           coalesce(listing_year_bucket(l.year), '') AS year_bucket,
           count(*)::bigint AS n
    FROM listings l JOIN users u ON u.id = l.seller_id
    WHERE l.status IN ('published', 'reserved') AND u.status = 'active'
    GROUP BY 1, 2, 3, 4, 5;

CREATE UNIQUE INDEX listing_facet_counts_key
    ON listing_facet_counts (category_id, make, country, price_bucket, year_bucket);

-- Listings at one place (an airfield) share a distance: `sort=distance` pages through such a
-- group by id.
CREATE INDEX listings_public_place_idx ON listings (lat, lon, id)
    WHERE status IN ('published', 'reserved') AND lat IS NOT NULL;

-- Keep the search document in the row: read out of line (TOAST), it cost an index lookup and
-- another page for every listing a full-text search checks (10× slower at a million listings).
-- Rows written from now on stay inline up to 8 kB; older rows move when next updated (or with
-- VACUUM FULL listings).
ALTER TABLE listings SET (toast_tuple_target = 8160);
