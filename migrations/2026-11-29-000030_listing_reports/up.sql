-- Reports: a member flags a listing for the moderators (scam, wrong category, already sold,
-- duplicate, offensive, other). One open report per member and listing.

CREATE TABLE listing_reports (
    id              uuid PRIMARY KEY,
    listing_id      uuid NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    reporter_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason          text NOT NULL CHECK (reason IN
                        ('scam', 'wrong_category', 'already_sold', 'duplicate', 'offensive', 'other')),
    -- Plain text, trimmed, at most 2,000 characters; required for `other`.
    comment         text CHECK (comment IS NULL OR
                        (char_length(comment) BETWEEN 1 AND 2000 AND comment = btrim(comment))),
    state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    CONSTRAINT listing_reports_other_has_comment CHECK (reason <> 'other' OR comment IS NOT NULL),
    CONSTRAINT listing_reports_resolved_at CHECK ((state = 'resolved') = (resolved_at IS NOT NULL))
);
-- One open report per member and listing.
CREATE UNIQUE INDEX listing_reports_open_key ON listing_reports (listing_id, reporter_id)
    WHERE state = 'open';
-- The per-member daily cap counts recent reports.
CREATE INDEX listing_reports_reporter_idx ON listing_reports (reporter_id, created_at);
-- The moderation queue, oldest first per state.
CREATE INDEX listing_reports_queue_idx ON listing_reports (state, created_at, id);
