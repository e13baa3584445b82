-- newest_root: REFERENCE QUERY (the search endpoint is not in this tree yet).
-- GET /api/v1/listings?category=aircraft&sort=newest&limit=20: a root category includes its
-- descendants (the ids are resolved from the category tree first), newest first.
WITH page AS (
    SELECT l.id, l.status, l.title, l.price_amount, l.currency, l.price_kind, l.airfield_icao,
           l.city, l.country, l.created_at, l.published_at, l.expires_at
    FROM listings l
    JOIN users u ON u.id = l.seller_id AND u.status = 'active'
    WHERE l.status IN ('published', 'reserved')
      AND l.category_id = ANY (:'aircraft_ids'::uuid[])
    ORDER BY l.published_at DESC, l.id DESC
    LIMIT 21
)
SELECT page.*, p.sha256 AS cover
FROM page LEFT JOIN listing_photos p ON p.listing_id = page.id AND p.position = 0
ORDER BY page.published_at DESC, page.id DESC
