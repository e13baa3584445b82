DROP TABLE IF EXISTS idempotency_keys;
DROP TABLE IF EXISTS listing_photos;
DROP TABLE IF EXISTS listing_events;
DROP TABLE IF EXISTS listings;
