-- facets: REFERENCE QUERY (the search endpoint is not in this tree yet).
-- GET /api/v1/listings?category=aircraft&facets=category,make,country,price_bucket,year_bucket :
-- the counts of every facet (and the total, the empty grouping set) in one pass over the
-- matching rows; the page itself is the newest_root query.
WITH hits AS (
    SELECT l.category_id, l.make, l.country,
           width_bucket(l.price_amount, ARRAY[0, 1000000, 2500000, 5000000, 10000000, 20000000, 50000000]::bigint[]) AS price_bucket,
           (l.year / 10) * 10 AS year_bucket
    FROM listings l
    JOIN users u ON u.id = l.seller_id AND u.status = 'active'
    WHERE l.status IN ('published', 'reserved')
      AND l.category_id = ANY (:'aircraft_ids'::uuid[])
)
SELECT category_id, make, country, price_bucket, year_bucket, count(*)
FROM hits
GROUP BY GROUPING SETS ((category_id), (make), (country), (price_bucket), (year_bucket), ())
