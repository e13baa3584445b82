DROP MATERIALIZED VIEW listing_facet_counts;
DROP FUNCTION listing_year_bucket(integer);
DROP FUNCTION listing_price_bucket(bigint);
