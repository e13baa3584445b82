-- Indexes (and one column) the reference queries of bench/sql/ need to be fast. NOT part of the
-- schema: bench/run creates them in the benchmark database only, after measuring the API and the SQL on the
-- schema as migrated, and then measures the SQL again. They are a proposal for the search
-- endpoint's migration; its own indexes (and query shapes) may differ.

-- Newest first across many categories (a root category and its descendants, or no category):
-- listings_public_idx (category_id, published_at DESC, id DESC) serves one category, but
-- `category_id = ANY (…)` over several cannot come out of it in published_at order, so every
-- matching row is read and sorted. Walking this index newest first and filtering on the
-- category stops after the page.
CREATE INDEX IF NOT EXISTS bench_ref_public_newest_idx
    ON listings (published_at DESC, id DESC)
    WHERE status IN ('published', 'reserved');

-- Full text over title and description, unaccented, 'simple' configuration, kept in a stored
-- column: an expression index finds the matches, but ranking them (ts_rank) needs each
-- match's tsvector, which without a column is recomputed from the text for every match.
-- Adding the column rewrites the table (the slowest step here).
ALTER TABLE listings ADD COLUMN IF NOT EXISTS bench_ref_search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', immutable_unaccent(title || ' ' || description))) STORED;
CREATE INDEX IF NOT EXISTS bench_ref_fts_idx
    ON listings USING gin (bench_ref_search)
    WHERE status IN ('published', 'reserved');

-- Radius around a point (earth_box @>) and nearest first (<->).
CREATE INDEX IF NOT EXISTS bench_ref_earth_idx
    ON listings USING gist (ll_to_earth(lat, lon))
    WHERE status IN ('published', 'reserved');

-- Facets count every matching row (333,000 for category=aircraft at N = 1,000,000): with the
-- facet columns (and the seller, for the seller-is-active join) in the index, that is an
-- index-only scan instead of reading the wide rows from the heap.
CREATE INDEX IF NOT EXISTS bench_ref_facets_idx
    ON listings (category_id) INCLUDE (seller_id, make, country, price_amount, year)
    WHERE status IN ('published', 'reserved');

-- Index-only scans need the visibility map the new column's table rewrite has reset.
VACUUM ANALYZE listings;
