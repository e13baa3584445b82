DROP FUNCTION refresh_listing_facet_counts();
DROP TABLE listing_facet_counts_state;
