-- Saved searches, the notifications the alerts job writes, the digests it mails, and the
-- single-use unsubscribe links in those mails.

CREATE TABLE saved_searches (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    -- The parameters of GET /api/v1/listings, as a JSON object of scalars (checked by the API
    -- exactly as that endpoint checks them).
    query           jsonb NOT NULL CHECK (jsonb_typeof(query) = 'object' AND octet_length(query::text) <= 4000),
    -- How often matches are mailed; `off` pauses the search (no matching, no notification).
    frequency       text NOT NULL CHECK (frequency IN ('instant', 'daily', 'weekly', 'off')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- Listings published before this never match (set at creation, when the query changes and
    -- when the search is switched back on), so a search alerts about what is new.
    match_from      timestamptz NOT NULL DEFAULT now(),
    -- The alerts job has looked at listings published up to here.
    checked_until   timestamptz NOT NULL DEFAULT now()
);
SELECT diesel_manage_updated_at('saved_searches');
CREATE INDEX saved_searches_user_idx ON saved_searches (user_id, created_at, id);
CREATE INDEX saved_searches_active_idx ON saved_searches (checked_until) WHERE frequency <> 'off';

-- Each listing a search matched, once: what makes every match notified exactly once.
CREATE TABLE saved_search_matches (
    saved_search_id uuid NOT NULL REFERENCES saved_searches (id) ON DELETE CASCADE,
    listing_id      uuid NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    matched_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (saved_search_id, listing_id)
);
CREATE INDEX saved_search_matches_listing_idx ON saved_search_matches (listing_id);

CREATE TABLE notifications (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN
                        ('new_match', 'price_drop', 'new_message', 'listing_expiring', 'listing_hidden')),
    listing_id      uuid REFERENCES listings (id) ON DELETE CASCADE,
    saved_search_id uuid REFERENCES saved_searches (id) ON DELETE SET NULL,
    -- What the notification says, as it was when it was written (title, prices, dates).
    data            jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(data) = 'object'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz,
    -- Which mail digest carries it (NULL: shown in the app only), and when it was mailed.
    digest          text CHECK (digest IN ('instant', 'daily', 'weekly')),
    emailed_at      timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_to_mail_idx ON notifications (user_id, digest)
    WHERE digest IS NOT NULL AND emailed_at IS NULL;

-- When each member last got each kind of digest.
CREATE TABLE alert_digests (
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    frequency       text NOT NULL CHECK (frequency IN ('instant', 'daily', 'weekly')),
    last_sent_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, frequency)
);

-- Unsubscribe links of the digests: signed (the link carries the id and an HMAC), single-use
-- (used_at), and for one purpose each: one saved search, or every alert mail.
CREATE TABLE unsubscribe_links (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope           text NOT NULL CHECK (scope IN ('saved_search', 'all_alerts')),
    saved_search_id uuid REFERENCES saved_searches (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    CONSTRAINT unsubscribe_links_target
        CHECK ((scope = 'saved_search') = (saved_search_id IS NOT NULL))
);
CREATE INDEX unsubscribe_links_user_idx ON unsubscribe_links (user_id);
CREATE INDEX unsubscribe_links_expiry_idx ON unsubscribe_links (expires_at);
