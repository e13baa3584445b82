DROP INDEX listings_public_place_idx;
ALTER TABLE listings RESET (toast_tuple_target);
DROP MATERIALIZED VIEW listing_facet_counts;
DROP FUNCTION listing_year_bucket(integer);
DROP FUNCTION listing_price_bucket(bigint);
