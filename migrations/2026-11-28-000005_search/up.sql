-- Search: bilingual full text (French and English stemming, accent-insensitive), designation
-- variants so "DR400", "DR 400" and "DR-400" meet, and the indexes the filters and the radius
-- search use.

CREATE TEXT SEARCH CONFIGURATION hangar_fr (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION hangar_fr
    ALTER MAPPING FOR hword, hword_part, word, asciihword, asciiword, hword_asciipart
    WITH public.unaccent, french_stem;
CREATE TEXT SEARCH CONFIGURATION hangar_en (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION hangar_en
    ALTER MAPPING FOR hword, hword_part, word, asciihword, asciiword, hword_asciipart
    WITH public.unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION hangar_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION hangar_simple
    ALTER MAPPING FOR hword, hword_part, word, asciihword, asciiword, hword_asciipart
    WITH public.unaccent, simple;

-- Designation variants: every run of letters and digits written together and apart.
-- "PA-28-161" -> "pa28161 pa28 pa 28 161", "DR 400" -> "dr400 dr 400".
CREATE FUNCTION listing_designations(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
    WITH parts AS (
        SELECT m[1] AS part, ordinality AS n
        FROM regexp_matches(pg_catalog.lower(public.immutable_unaccent($1)), '([a-z]+|[0-9]+)', 'g')
             WITH ORDINALITY AS t(m, ordinality)
    ),
    runs AS (
        -- Consecutive parts joined, two or three at a time, where a number is involved:
        -- "pa"+"28", "pa"+"28"+"161", "28"+"161", "dr"+"400".
        SELECT string_agg(p.part, '' ORDER BY p.n) AS joined
        FROM parts a
        CROSS JOIN LATERAL generate_series(a.n + 1, a.n + 2) AS e(last)
        JOIN parts p ON p.n BETWEEN a.n AND e.last
        WHERE e.last <= (SELECT max(n) FROM parts)
        GROUP BY a.n, e.last
        HAVING bool_or(p.part ~ '^[0-9]+$')
    )
    SELECT coalesce((SELECT string_agg(DISTINCT joined, ' ') FROM runs), '')
        || ' ' || coalesce((SELECT string_agg(part, ' ' ORDER BY n) FROM parts), '')
    $$;

ALTER TABLE listings ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('hangar_simple'::regconfig,
        coalesce(make, '') || ' ' || coalesce(model, '') || ' '
        || listing_designations(coalesce(make, '') || ' ' || coalesce(model, '') || ' ' || title)
        || ' ' || coalesce(registration, '') || ' ' || coalesce(airfield_icao, '') || ' ' || coalesce(city, '')), 'A')
    || setweight(to_tsvector('hangar_fr'::regconfig, title), 'A')
    || setweight(to_tsvector('hangar_en'::regconfig, title), 'B')
    || setweight(to_tsvector('hangar_fr'::regconfig, description), 'C')
    || setweight(to_tsvector('hangar_en'::regconfig, description), 'D')
) STORED;

CREATE INDEX listings_search_idx ON listings USING gin (search_document)
    WHERE status IN ('published', 'reserved', 'sold');
CREATE INDEX listings_public_newest_idx ON listings (published_at DESC, id DESC)
    WHERE status IN ('published', 'reserved');
CREATE INDEX listings_public_price_idx ON listings (currency, price_amount, id)
    WHERE status IN ('published', 'reserved');
CREATE INDEX listings_public_make_model_idx ON listings (lower(make), lower(model))
    WHERE status IN ('published', 'reserved');
CREATE INDEX listings_public_year_idx ON listings (year) WHERE status IN ('published', 'reserved');
CREATE INDEX listings_earth_idx ON listings USING gist (ll_to_earth(lat, lon))
    WHERE status IN ('published', 'reserved') AND lat IS NOT NULL;
