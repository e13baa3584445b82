-- by_id: what GET /api/v1/listings/{id} reads (api/src/routes/listings.rs get_listing: the
-- listing, its seller, its category's slug, its photos and its price history), folded into one
-- statement. The API runs them as five queries.
SELECT l.*, u.display_name, u.account_type, u.status AS seller_status, c.slug AS category,
       (SELECT json_agg(p ORDER BY p.position) FROM listing_photos p WHERE p.listing_id = l.id) AS photos,
       (SELECT json_agg(json_build_object('amount', e.price_amount, 'currency', e.currency, 'at', e.created_at)
                        ORDER BY e.id)
          FROM listing_events e WHERE e.listing_id = l.id AND e.kind IN ('created', 'price')) AS price_history
FROM listings l
JOIN users u ON u.id = l.seller_id
JOIN categories c ON c.id = l.category_id
WHERE l.id = :'id'::uuid
