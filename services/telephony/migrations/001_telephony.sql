-- The telephony service's own tables beside its event store (services/telephony).

-- What telephony knows of each subscriber line (projection telephony.lines of billing.accounts.events):
-- the number calls are matched by, its tariffs over time (rating plan by the call's day) and add-ons
-- over time. Rebuilt from accounts' events by `make replay ARGS='rebuild ...'`.
CREATE TABLE lines (
    line_id         text PRIMARY KEY,
    account_id      text        NOT NULL,
    organization_id text,
    kind            text        NOT NULL,
    identifier      text        NOT NULL,
    subscriber_name text        NOT NULL,
    -- [{from_day, tariff_id, name}] in order
    tariffs         jsonb       NOT NULL,
    -- [{service_id, name, from_day, until_day, connected_at, disconnected_at}]
    add_ons         jsonb       NOT NULL DEFAULT '[]',
    closed_on       date,
    changed_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX lines_by_identifier ON lines (identifier);
CREATE INDEX lines_by_account ON lines (account_id);
CREATE INDEX lines_by_organization ON lines (organization_id) WHERE organization_id IS NOT NULL;

-- Telephony's own decisions on a line (its events on tline-<line>), written in the command's
-- transaction; a line without a row has the defaults.
CREATE TABLE line_settings (
    line_id             text PRIMARY KEY,
    channels            integer,
    channels_changed_at timestamptz,
    internet_enabled    boolean NOT NULL DEFAULT true,
    internet_package    text,
    paused              boolean NOT NULL DEFAULT false,
    password_changed_at timestamptz
);

-- Accounts' organizations (AccountOpened comes before the account's lines).
CREATE TABLE accounts (
    account_id      text PRIMARY KEY,
    organization_id text
);

-- Every call and SMS once per (origin, call id, direction): the switch's identity of the CDR. An
-- outgoing one is rated at ingestion (net, bundle seconds used); an incoming one is shown, free.
CREATE TABLE calls (
    origin      text        NOT NULL,
    call_id     text        NOT NULL,
    direction   text        NOT NULL CHECK (direction IN ('out', 'in')),
    account_id  text        NOT NULL,
    line_id     text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('call', 'sms')),
    caller      text        NOT NULL,
    callee      text        NOT NULL,
    started_at  timestamptz NOT NULL,
    duration_s  integer     NOT NULL,
    destination text,
    time_class  text,
    usage_class text,
    billed_s    integer        NOT NULL DEFAULT 0,
    bundle_s    integer        NOT NULL DEFAULT 0,
    net         numeric(18, 4) NOT NULL DEFAULT 0,
    PRIMARY KEY (origin, call_id, direction)
);
CREATE INDEX calls_by_line ON calls (line_id, started_at DESC);

-- Bundle seconds used per line and month; its row is also the lock every ingestion and re-rating
-- touching the line takes (in line order), so batches of one line never interleave.
CREATE TABLE line_months (
    line_id text    NOT NULL,
    period  date    NOT NULL,
    used_s  bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (line_id, period)
);

-- Rated usage for invoicing (the outbox): one row per charge line, written in the transaction that
-- rated the calls, posted after commit by the usage worker to invoicing's
-- POST /internal/v1/accounts/{id}/usage, once per usage_id there. A re-rating adds a refund of what
-- was queued and a charge of the new figure; the sum per key is always the calls' current net.
CREATE SEQUENCE usage_batches;
CREATE TABLE usage_posts (
    usage_id     text PRIMARY KEY,
    account_id   text           NOT NULL,
    line_id      text           NOT NULL,
    day          date           NOT NULL,
    usage_class  text           NOT NULL,
    description  text           NOT NULL,
    quantity_s   bigint         NOT NULL,
    net          numeric(18, 4) NOT NULL,
    vat_rate     numeric        NOT NULL,
    created_at   timestamptz    NOT NULL,
    not_before   timestamptz    NOT NULL,
    failures     integer        NOT NULL DEFAULT 0,
    posted_at    timestamptz,
    refused_code text
);
CREATE INDEX usage_posts_pending ON usage_posts (not_before) WHERE posted_at IS NULL AND refused_code IS NULL;
CREATE INDEX usage_posts_by_key ON usage_posts (line_id, day, usage_class);

-- CDRs that could not be taken (malformed, an unknown number, no rating plan, a paused line), with
-- the reason; the rest of their batch went on.
CREATE TABLE cdr_dead_letters (
    id          bigserial PRIMARY KEY,
    source      text        NOT NULL,
    origin      text,
    call_id     text,
    code        text        NOT NULL,
    reason      text        NOT NULL,
    raw         jsonb       NOT NULL,
    at          timestamptz NOT NULL
);

-- Call-detail orders by e-mail (seed 004 2.3): an asynchronous job. The detail worker builds the
-- file after commit and hands it to the notifications service, which mails it as an attachment.
CREATE TABLE detail_orders (
    order_id    text PRIMARY KEY,
    account_id  text        NOT NULL,
    numbers     text[]      NOT NULL,
    date_from   date        NOT NULL,
    date_to     date        NOT NULL,
    direction   text        NOT NULL CHECK (direction IN ('out', 'in', 'both')),
    email       text        NOT NULL,
    ordered_by  text        NOT NULL,
    ordered_at  timestamptz NOT NULL,
    not_before  timestamptz NOT NULL,
    failures    integer     NOT NULL DEFAULT 0,
    sent_at     timestamptz
);
CREATE INDEX detail_orders_pending ON detail_orders (not_before) WHERE sent_at IS NULL;
