-- The cabinet's read models of accounts, lines, blocks and users, fed by billing.accounts.events.
CREATE TABLE cabinet_clients (
    client_id       text PRIMARY KEY,
    kind            text NOT NULL,
    name            text NOT NULL,
    tax_id          text,
    payment_form    text NOT NULL,
    contract_number text NOT NULL,
    contract_date   date NOT NULL
);

-- Which accounts exist and whose they are (org admins see their organization's), and their status.
CREATE TABLE cabinet_account_directory (
    account_id          text PRIMARY KEY,
    client_id           text           NOT NULL,
    organization_id     text,
    contract_number     text           NOT NULL,
    payment_form        text           NOT NULL,
    opened_at           timestamptz    NOT NULL,
    opening_balance     numeric(18, 2) NOT NULL,
    financially_blocked boolean        NOT NULL DEFAULT false,
    voluntarily_blocked boolean        NOT NULL DEFAULT false,
    closed_at           timestamptz
);
CREATE INDEX cabinet_account_directory_by_organization ON cabinet_account_directory (organization_id);

CREATE TABLE cabinet_lines (
    line_id          text PRIMARY KEY,
    account_id       text           NOT NULL,
    organization_id  text,
    kind             text           NOT NULL,
    identifier       text           NOT NULL,
    subscriber_name  text           NOT NULL,
    tariff_id        text           NOT NULL,
    tariff_name      text           NOT NULL,
    monthly_fee      numeric(18, 2) NOT NULL,
    vat_rate         numeric(6, 2)  NOT NULL,
    tariff_from      date,
    block_terms      jsonb,
    added_seq        bigint         NOT NULL
);
CREATE INDEX cabinet_lines_by_account ON cabinet_lines (account_id, added_seq);
CREATE INDEX cabinet_lines_by_organization ON cabinet_lines (organization_id, identifier);

CREATE TABLE cabinet_add_ons (
    line_id         text           NOT NULL,
    service_id      text           NOT NULL,
    account_id      text           NOT NULL,
    name            text           NOT NULL,
    monthly_fee     numeric(18, 2) NOT NULL,
    connected_on    date           NOT NULL,
    disconnected_on date,
    PRIMARY KEY (line_id, service_id, connected_on)
);

CREATE TABLE cabinet_blocks (
    block_id     text PRIMARY KEY,
    account_id   text           NOT NULL,
    starts_on    date           NOT NULL,
    ends_on      date           NOT NULL,
    days         integer        NOT NULL,
    fee          numeric(18, 2) NOT NULL,
    state        text           NOT NULL,
    scheduled_at timestamptz    NOT NULL,
    started_at   timestamptz,
    ended_at     timestamptz,
    early        boolean        NOT NULL DEFAULT false
);
CREATE INDEX cabinet_blocks_by_account ON cabinet_blocks (account_id, starts_on DESC);

CREATE TABLE cabinet_users (
    user_id             text PRIMARY KEY,
    role                text    NOT NULL,
    login               text    NOT NULL,
    account_ids         text[]  NOT NULL,
    organization_id     text,
    full_name           text,
    contact_phone       text,
    sms_phone           text,
    sms_phone_confirmed boolean NOT NULL DEFAULT false,
    email               text,
    address             text,
    language            text    NOT NULL DEFAULT 'ru',
    passport_masked     text,
    preferences         jsonb   NOT NULL DEFAULT '{}'::jsonb,
    password_changed_at timestamptz
);
