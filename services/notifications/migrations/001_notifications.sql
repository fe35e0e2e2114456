-- The delivery log: one row per message, at most one per (event, channel, address). The event
-- streams (`message-<id>`) are the history; this row is what the sender works from. A message
-- carrying a one-time secret keeps only its masked text here: the secret itself is never stored.
CREATE TABLE deliveries (
    message_id        uuid PRIMARY KEY,
    source_event_id   uuid        NOT NULL,
    source_event_type text        NOT NULL,
    channel           text        NOT NULL CHECK (channel IN ('sms', 'email')),
    address           text        NOT NULL,
    account_ids       text[]      NOT NULL DEFAULT '{}',
    user_id           text,
    topic             text        NOT NULL,
    template          text        NOT NULL,
    language          text        NOT NULL,
    subject           text,
    body              text        NOT NULL,
    secret            boolean     NOT NULL DEFAULT false,
    urgent            boolean     NOT NULL DEFAULT false,
    status            text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts          integer     NOT NULL DEFAULT 0,
    last_error        text,
    correlation_id    text,
    queued_at         timestamptz NOT NULL,
    send_after        timestamptz NOT NULL,
    sent_at           timestamptz,
    failed_at         timestamptz,
    UNIQUE (source_event_id, channel, address)
);
CREATE INDEX deliveries_by_account ON deliveries USING gin (account_ids);

-- Who gets messages for which account, where and in which language: from billing.accounts.events
-- (CabinetUserCreated, ProfileChanged, NotificationPreferencesChanged).
CREATE TABLE recipients (
    user_id             text PRIMARY KEY,
    role                text,
    account_ids         text[]      NOT NULL DEFAULT '{}',
    email               text,
    sms_phone           text,
    sms_phone_confirmed boolean     NOT NULL DEFAULT false,
    language            text        NOT NULL DEFAULT 'ru',
    preferences         jsonb       NOT NULL DEFAULT '{}',
    updated_at          timestamptz NOT NULL
);
CREATE INDEX recipients_by_account ON recipients USING gin (account_ids);

-- Available funds per account (docs/events.md "Money seen the same way everywhere") and what the
-- next period will cost, for the end-of-period reminder.
CREATE TABLE account_funds (
    account_id   text PRIMARY KEY,
    payment_form text,
    available    numeric(18, 2) NOT NULL DEFAULT 0,
    closed       boolean        NOT NULL DEFAULT false,
    updated_at   timestamptz    NOT NULL
);

CREATE TABLE account_fees (
    account_id    text           NOT NULL,
    item_id       text           NOT NULL,
    monthly_fee   numeric(18, 2) NOT NULL,
    next_fee      numeric(18, 2),
    next_fee_from date,
    ends_on       date,
    PRIMARY KEY (account_id, item_id)
);

-- Promised payments still to repay, for the reminder the day before they are due.
CREATE TABLE promised_payments (
    promised_payment_id text PRIMARY KEY,
    account_id          text           NOT NULL,
    outstanding         numeric(18, 2) NOT NULL,
    due_at              timestamptz    NOT NULL
);
