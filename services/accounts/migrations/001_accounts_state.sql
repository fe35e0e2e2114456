-- State kept beside the accounts service's event streams. Credentials are not events: only
-- argon2id hashes are stored, never a password or a code in clear.
CREATE TABLE credentials (
    user_id              text PRIMARY KEY,
    login                text        NOT NULL UNIQUE,  -- contract number or an operator's login, lower case
    phone                text        UNIQUE,           -- digits only: login by phone and SMS codes
    password_hash        text,
    temporary_hash       text,
    temporary_expires_at timestamptz,
    updated_at           timestamptz NOT NULL
);

-- One live one-time code per user and purpose; a new code replaces the old one.
CREATE TABLE one_time_codes (
    user_id         text        NOT NULL,
    purpose         text        NOT NULL CHECK (purpose IN ('login', 'phone_confirmation')),
    code_hash       text        NOT NULL,
    expires_at      timestamptz NOT NULL,
    failed_attempts integer     NOT NULL DEFAULT 0,
    used_at         timestamptz,
    issued_at       timestamptz NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

-- Passport data stays here; events carry it masked.
CREATE TABLE personal_data (
    user_id    text PRIMARY KEY,
    passport   text,
    updated_at timestamptz NOT NULL
);

-- Service lines for the organization admin's subscriber search, written with the line's events.
CREATE TABLE subscriber_lines (
    line_id         text PRIMARY KEY,
    account_id      text NOT NULL,
    organization_id text,
    kind            text NOT NULL,
    identifier      text NOT NULL,
    subscriber_name text NOT NULL,
    tariff_name     text NOT NULL
);
CREATE INDEX subscriber_lines_by_organization ON subscriber_lines (organization_id, identifier);

-- Available funds per account (docs/events.md "Money seen the same way everywhere"), from
-- AccountOpened and billing.payments.events; they decide financial blocks.
CREATE TABLE available_funds (
    account_id      text PRIMARY KEY,
    opening_balance numeric(18, 2),            -- NULL until AccountOpened was recorded
    movements       numeric(18, 2) NOT NULL DEFAULT 0,
    updated_at      timestamptz    NOT NULL
);
