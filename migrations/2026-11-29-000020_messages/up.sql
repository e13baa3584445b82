-- Messaging: a buyer's conversation with a seller about one listing, its messages, and the
-- blocks members set against each other.

CREATE TABLE conversations (
    id              uuid PRIMARY KEY,
    -- NULL once the listing is purged (30 days after its deletion): the conversation stays,
    -- under the title the listing had when the conversation started.
    listing_id      uuid REFERENCES listings (id) ON DELETE SET NULL,
    listing_title   text NOT NULL,
    buyer_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seller_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- The newest message's time: the inbox's order.
    last_message_at timestamptz NOT NULL DEFAULT now(),
    -- When each party last read the conversation (mark read) and was last mailed about it:
    -- a new message is mailed unless a mail went out within the throttle window and the
    -- recipient has not read the conversation since.
    buyer_read_at   timestamptz,
    seller_read_at  timestamptz,
    buyer_mailed_at timestamptz,
    seller_mailed_at timestamptz,
    -- One conversation per buyer and listing.
    CONSTRAINT conversations_listing_buyer_key UNIQUE (listing_id, buyer_id),
    CONSTRAINT conversations_two_parties CHECK (buyer_id <> seller_id)
);
CREATE INDEX conversations_buyer_idx ON conversations (buyer_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_seller_idx ON conversations (seller_id, last_message_at DESC, id DESC);

CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sender_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Plain text, trimmed, 1 to 5,000 characters (the API also refuses control characters
    -- other than line breaks and tabs).
    body            text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000 AND body = btrim(body)),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- When the recipient read it.
    read_at         timestamptz
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at, id);
-- The per-sender rate limit counts recent messages.
CREATE INDEX messages_sender_idx ON messages (sender_id, created_at);
CREATE INDEX messages_unread_idx ON messages (conversation_id, sender_id) WHERE read_at IS NULL;

-- A member who blocked another: neither can write to the other any more, in any conversation.
CREATE TABLE user_blocks (
    blocker_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);
CREATE INDEX user_blocks_blocked_idx ON user_blocks (blocked_id);

-- `new_message` notifications point at their conversation.
ALTER TABLE notifications
    ADD COLUMN conversation_id uuid REFERENCES conversations (id) ON DELETE CASCADE;
CREATE INDEX notifications_conversation_idx ON notifications (conversation_id)
    WHERE conversation_id IS NOT NULL;
