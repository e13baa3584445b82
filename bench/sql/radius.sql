-- radius: REFERENCE QUERY (the search endpoint is not in this tree yet).
-- GET /api/v1/listings?near=LFPN&radius_km=150&sort=distance : the airfield's coordinates are
-- looked up first; the box test can use a GiST index on ll_to_earth(lat, lon), the exact
-- distance trims the box's corners, and `<->` (chord distance between earth points, which
-- orders like the great-circle distance) lets the same index return rows nearest first.
WITH page AS (
    SELECT l.id, l.status, l.title, l.price_amount, l.currency, l.price_kind, l.airfield_icao,
           l.city, l.country, l.created_at, l.published_at, l.expires_at,
           earth_distance(ll_to_earth(:lat, :lon), ll_to_earth(l.lat, l.lon)) AS distance_m
    FROM listings l
    JOIN users u ON u.id = l.seller_id AND u.status = 'active'
    WHERE l.status IN ('published', 'reserved')
      AND earth_box(ll_to_earth(:lat, :lon), :radius_m) @> ll_to_earth(l.lat, l.lon)
      AND earth_distance(ll_to_earth(:lat, :lon), ll_to_earth(l.lat, l.lon)) <= :radius_m
    ORDER BY ll_to_earth(l.lat, l.lon) <-> ll_to_earth(:lat, :lon), l.id
    LIMIT 21
)
SELECT page.*, p.sha256 AS cover
FROM page LEFT JOIN listing_photos p ON p.listing_id = page.id AND p.position = 0
ORDER BY page.distance_m, page.id
