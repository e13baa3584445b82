-- Extensions the search, catalogue and radius features rely on. All ship with PostgreSQL's
-- contrib package (Debian's postgresql-15 and the official postgres images include them).
CREATE EXTENSION IF NOT EXISTS pg_trgm;      -- typo-tolerant make/model matching
CREATE EXTENSION IF NOT EXISTS unaccent;     -- "helice" finds "hélice"
CREATE EXTENSION IF NOT EXISTS btree_gin;    -- composite GIN indexes mixing scalars and tsvector
CREATE EXTENSION IF NOT EXISTS cube;         -- required by earthdistance
CREATE EXTENSION IF NOT EXISTS earthdistance; -- airfield radius search

-- unaccent() is only STABLE, so it cannot be used in generated columns or index expressions.
-- This wrapper pins the dictionary, which makes it safe to declare IMMUTABLE.
CREATE OR REPLACE FUNCTION immutable_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
