-- structured: REFERENCE QUERY (the search endpoint is not in this tree yet).
-- GET /api/v1/listings?category=aircraft&year_min=1975&year_max=2000&ttaf_max=6000
--     &smoh_max=1000&ifr=true&seats_min=4 : typed columns only, newest first.
WITH page AS (
    SELECT l.id, l.status, l.title, l.price_amount, l.currency, l.price_kind, l.airfield_icao,
           l.city, l.country, l.created_at, l.published_at, l.expires_at
    FROM listings l
    JOIN users u ON u.id = l.seller_id AND u.status = 'active'
    WHERE l.status IN ('published', 'reserved')
      AND l.category_id = ANY (:'aircraft_ids'::uuid[])
      AND l.year BETWEEN 1975 AND 2000
      AND l.ttaf_hours <= 6000
      AND l.smoh_hours <= 1000
      AND l.ifr
      AND l.seats >= 4
    ORDER BY l.published_at DESC, l.id DESC
    LIMIT 21
)
SELECT page.*, p.sha256 AS cover
FROM page LEFT JOIN listing_photos p ON p.listing_id = page.id AND p.position = 0
ORDER BY page.published_at DESC, page.id DESC
