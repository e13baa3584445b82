-- fulltext_narrow: REFERENCE QUERY (the search endpoint is not in this tree yet).
-- GET /api/v1/listings?q=dr400 hangaré : a selective text alone (a model and a word of the
-- title), sorted by relevance then newest. This variant, for the reference-indexes phase,
-- reads the stored tsvector column bench_ref_search (see fulltext.reference_indexes.sql).
WITH q AS (SELECT plainto_tsquery('simple', immutable_unaccent(:'q_narrow')) AS query),
page AS (
    SELECT l.id, l.status, l.title, l.price_amount, l.currency, l.price_kind, l.airfield_icao,
           l.city, l.country, l.created_at, l.published_at, l.expires_at,
           ts_rank(l.bench_ref_search, q.query) AS rank
    FROM listings l
    JOIN users u ON u.id = l.seller_id AND u.status = 'active'
    CROSS JOIN q
    WHERE l.status IN ('published', 'reserved')
      AND l.bench_ref_search @@ q.query
    ORDER BY rank DESC, l.published_at DESC, l.id DESC
    LIMIT 21
)
SELECT page.*, p.sha256 AS cover
FROM page LEFT JOIN listing_photos p ON p.listing_id = page.id AND p.position = 0
ORDER BY page.rank DESC, page.published_at DESC, page.id DESC
