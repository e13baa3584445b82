-- radius: REFERENCE QUERY (the search endpoint is not in this tree yet).
-- GET /api/v1/listings?near=LFPN&radius_km=150&sort=distance : the airfield's coordinates are
-- looked up first; the box test can use a GiST index on ll_to_earth(lat, lon), the exact
-- distance trims the box's corners, and `<->` (chord distance between earth points, which
-- orders like the great-circle distance) lets the same index return rows nearest first.
-- Only the distance may be in the inner ORDER BY: adding `, l.id` (a stable order for the
-- cursor: every listing at one airfield has the same distance) makes PostgreSQL read and sort
-- every listing within the radius (~158,000 around LFPN, 2.3 s at N = 1,000,000) instead of
-- stopping after 21 (1 ms). Ties therefore come in index order; see bench/README.md.
WITH page AS (
    SELECT l.id, l.status, l.title, l.price_amount, l.currency, l.price_kind, l.airfield_icao,
           l.city, l.country, l.created_at, l.published_at, l.expires_at,
           earth_distance(ll_to_earth(:lat, :lon), ll_to_earth(l.lat, l.lon)) AS distance_m
    FROM listings l
    JOIN users u ON u.id = l.seller_id AND u.status = 'active'
    WHERE l.status IN ('published', 'reserved')
      AND earth_box(ll_to_earth(:lat, :lon), :radius_m) @> ll_to_earth(l.lat, l.lon)
      AND earth_distance(ll_to_earth(:lat, :lon), ll_to_earth(l.lat, l.lon)) <= :radius_m
    ORDER BY ll_to_earth(l.lat, l.lon) <-> ll_to_earth(:lat, :lon)
    LIMIT 21
)
SELECT page.*, p.sha256 AS cover
FROM page LEFT JOIN listing_photos p ON p.listing_id = page.id AND p.position = 0
ORDER BY page.distance_m, page.id
