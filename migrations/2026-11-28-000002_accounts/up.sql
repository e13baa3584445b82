-- Accounts: users, sessions (refresh tokens), personal access tokens, single-use email tokens,
-- and the mail outbox. Rules that protect the data are mirrored here as constraints.

CREATE TABLE users (
    id                      uuid PRIMARY KEY,
    -- Normalised (trimmed, lower-cased) by the API; unique case-insensitively below.
    email                   text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    email_verified_at       timestamptz,
    password_hash           text NOT NULL,
    display_name            text NOT NULL CHECK (char_length(display_name) BETWEEN 2 AND 60),
    locale                  text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
    account_type            text NOT NULL CHECK (account_type IN ('private', 'professional')),
    company_name            text CHECK (char_length(company_name) BETWEEN 2 AND 120),
    company_registration    text CHECK (char_length(company_registration) BETWEEN 2 AND 40),
    phone                   text CHECK (char_length(phone) BETWEEN 6 AND 24),
    show_phone              boolean NOT NULL DEFAULT false,
    notify_messages         boolean NOT NULL DEFAULT true,
    notify_saved_searches   boolean NOT NULL DEFAULT true,
    notify_newsletter       boolean NOT NULL DEFAULT false,
    role                    text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'moderator', 'admin')),
    status                  text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
    -- In every access token; bumping it kills every session of the user at once.
    token_version           integer NOT NULL DEFAULT 0 CHECK (token_version >= 0),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    suspended_at            timestamptz,
    deleted_at              timestamptz,
    CONSTRAINT users_professional_has_company
        CHECK (account_type = 'private' OR company_name IS NOT NULL),
    CONSTRAINT users_private_has_no_company
        CHECK (account_type = 'professional' OR (company_name IS NULL AND company_registration IS NULL))
);
CREATE UNIQUE INDEX users_email_lower_idx ON users (lower(email));
CREATE INDEX users_created_at_idx ON users (created_at DESC, id DESC);
SELECT diesel_manage_updated_at('users');

-- One row per refresh token. Tokens of one login form a family; reusing a rotated token
-- revokes the whole family (it was stolen, or the client is broken).
CREATE TABLE refresh_tokens (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id       uuid NOT NULL,
    token_hash      bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    token_version   integer NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    replaced_by     uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE personal_access_tokens (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    -- The first characters of the token, shown in lists so a user recognises it.
    prefix          text NOT NULL,
    token_hash      bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    scopes          text[] NOT NULL CHECK (cardinality(scopes) >= 1
                        AND scopes <@ ARRAY['listings:read', 'listings:write', 'messages', 'account']::text[]),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX personal_access_tokens_user_idx ON personal_access_tokens (user_id);

-- Single-use tokens sent by email (address verification, password reset).
CREATE TABLE email_tokens (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose         text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash      bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);

-- Mail to send, written in the same transaction as the change that causes it and delivered
-- by the background sender. Bodies may hold single-use tokens: rows are purged once sent.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    to_address      text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      text,
    sent_at         timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL;
