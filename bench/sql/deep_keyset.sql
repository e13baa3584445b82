-- deep_keyset: REFERENCE QUERY (the search endpoint is not in this tree yet).
-- The page of GET /api/v1/listings?category=aircraft&sort=newest after ~5,000 rows: the cursor
-- carries the last row's (published_at, id), and the query continues strictly after it.
WITH page AS (
    SELECT l.id, l.status, l.title, l.price_amount, l.currency, l.price_kind, l.airfield_icao,
           l.city, l.country, l.created_at, l.published_at, l.expires_at
    FROM listings l
    JOIN users u ON u.id = l.seller_id AND u.status = 'active'
    WHERE l.status IN ('published', 'reserved')
      AND l.category_id = ANY (:'aircraft_ids'::uuid[])
      AND (l.published_at, l.id) < (:'keyset_at'::timestamptz, :'keyset_id'::uuid)
    ORDER BY l.published_at DESC, l.id DESC
    LIMIT 21
)
SELECT page.*, p.sha256 AS cover
FROM page LEFT JOIN listing_photos p ON p.listing_id = page.id AND p.position = 0
ORDER BY page.published_at DESC, page.id DESC
