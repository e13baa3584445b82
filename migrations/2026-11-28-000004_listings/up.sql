-- Listings: what sellers post. Common and searchable fields are typed columns (so filters use
-- ordinary indexes); the rest of a group's attributes live in `attributes` (jsonb), whose
-- shape is owned by api/src/domain/attributes.rs. Every state change is an event.

CREATE TABLE listings (
    id                  uuid PRIMARY KEY,
    seller_id           uuid NOT NULL REFERENCES users (id),
    category_id         uuid NOT NULL REFERENCES categories (id),
    status              text NOT NULL DEFAULT 'draft' CHECK (status IN
                            ('draft', 'published', 'reserved', 'sold', 'expired', 'withdrawn', 'deleted')),
    title               text NOT NULL CHECK (char_length(title) BETWEEN 5 AND 120),
    description         text NOT NULL CHECK (char_length(description) BETWEEN 20 AND 10000),
    -- Money: integer minor units and an ISO 4217 code; no amount when the price is on request.
    price_amount        bigint CHECK (price_amount BETWEEN 0 AND 10000000000),
    currency            char(3) NOT NULL DEFAULT 'EUR' CHECK (currency IN ('EUR', 'CHF', 'GBP', 'USD')),
    price_kind          text NOT NULL CHECK (price_kind IN ('fixed', 'negotiable', 'on_request', 'exchange')),
    vat_included        boolean,
    condition           text NOT NULL CHECK (condition IN ('new', 'used', 'overhauled', 'for_parts')),
    -- Location: an airfield (no foreign key: the airfield list is reloaded wholesale; the code
    -- is checked on write and its coordinates copied) or a place.
    airfield_icao       char(4) CHECK (airfield_icao ~ '^[A-Z0-9]{4}$'),
    city                text CHECK (char_length(city) BETWEEN 1 AND 100),
    postcode            text CHECK (char_length(postcode) BETWEEN 1 AND 12),
    country             char(2) CHECK (country ~ '^[A-Z]{2}$'),
    lat                 double precision CHECK (lat BETWEEN -90 AND 90),
    lon                 double precision CHECK (lon BETWEEN -180 AND 180),
    show_phone          boolean NOT NULL DEFAULT false,
    -- Searchable attributes, copied from `attributes` by the API.
    make                text,
    model               text,
    year                integer CHECK (year BETWEEN 1903 AND 2100),
    registration        text,
    ttaf_hours          double precision CHECK (ttaf_hours >= 0),
    engine_hours        double precision CHECK (engine_hours >= 0),
    smoh_hours          double precision CHECK (smoh_hours >= 0),
    tbo_hours           double precision CHECK (tbo_hours > 0),
    -- The French "potentiel": hours left before the engine's overhaul.
    hours_to_tbo        double precision GENERATED ALWAYS AS (tbo_hours - coalesce(smoh_hours, engine_hours)) STORED,
    seats               smallint CHECK (seats BETWEEN 1 AND 20),
    ifr                 boolean,
    fuel                text,
    attributes          jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Optimistic concurrency: the ETag; every update increments it.
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    view_count          bigint NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    favourite_count     integer NOT NULL DEFAULT 0 CHECK (favourite_count >= 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    published_at        timestamptz,
    expires_at          timestamptz,
    sold_at             timestamptz,
    deleted_at          timestamptz,
    -- When the "your listing expires in 7 days" mail went out (once per publication period).
    expiry_reminder_sent_at timestamptz,
    CONSTRAINT listings_price_amount_unless_on_request
        CHECK ((price_kind = 'on_request') = (price_amount IS NULL)),
    CONSTRAINT listings_has_a_location
        CHECK (status = 'draft' OR airfield_icao IS NOT NULL OR (city IS NOT NULL AND country IS NOT NULL)),
    CONSTRAINT listings_smoh_within_total
        CHECK (smoh_hours IS NULL OR engine_hours IS NULL OR smoh_hours <= engine_hours)
);
SELECT diesel_manage_updated_at('listings');
CREATE INDEX listings_seller_idx ON listings (seller_id, status, created_at DESC);
CREATE INDEX listings_public_idx ON listings (category_id, published_at DESC, id DESC)
    WHERE status IN ('published', 'reserved');
CREATE INDEX listings_purge_idx ON listings (deleted_at) WHERE status = 'deleted';
CREATE INDEX listings_expiry_idx ON listings (expires_at) WHERE status = 'published';

-- The audit trail of every listing: status changes, price changes, edits, moderation.
-- Also the source of the price history.
CREATE TABLE listing_events (
    id              bigserial PRIMARY KEY,
    listing_id      uuid NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    -- NULL when the system acted (expiry job).
    actor_id        uuid REFERENCES users (id),
    kind            text NOT NULL CHECK (kind IN ('created', 'status', 'price', 'edit', 'photo')),
    from_status     text,
    to_status       text,
    price_amount    bigint,
    currency        char(3),
    details         jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX listing_events_listing_idx ON listing_events (listing_id, id);

-- Photos: content-addressed files under MEDIA_DIR (api/src/media.rs), ordered per listing.
CREATE TABLE listing_photos (
    id              uuid PRIMARY KEY,
    listing_id      uuid NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    position        integer NOT NULL CHECK (position BETWEEN 0 AND 23),
    sha256          char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    width           integer NOT NULL CHECK (width > 0),
    height          integer NOT NULL CHECK (height > 0),
    -- Stored WebP widths, e.g. {320,800,1600}.
    widths          integer[] NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT listing_photos_position_key UNIQUE (listing_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

-- POST /listings honours Idempotency-Key: the same key and body give the same answer.
CREATE TABLE idempotency_keys (
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key             text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    request_hash    bytea NOT NULL,
    response_status integer NOT NULL,
    response_body   jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
