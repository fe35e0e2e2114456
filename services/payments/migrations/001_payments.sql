-- The payments service's own tables beside its event store (services/payments).

-- Top-ups waiting for their provider's callback: the invoice number is what providers send back
-- (Robokassa's InvId is an integer), so a callback finds its account and the amount it must carry.
CREATE SEQUENCE top_up_invoices START WITH 100001;
CREATE TABLE top_ups (
    invoice_id  bigint PRIMARY KEY,
    account_id  text           NOT NULL,
    amount      numeric(18, 2) NOT NULL,
    provider    text           NOT NULL,
    started_at  timestamptz    NOT NULL
);

-- Saved payment methods for autopay. The provider's token is kept here only, never in an event
-- (events carry the masked reference); it is deleted when autopay is disabled.
CREATE TABLE payment_methods (
    account_id    text PRIMARY KEY,
    provider      text        NOT NULL,
    token         text        NOT NULL,
    method_masked text        NOT NULL,
    saved_at      timestamptz NOT NULL
);

-- The sandbox provider's own record of charges, keyed like a real provider's idempotency key.
CREATE TABLE sandbox_charges (
    idempotency_key text PRIMARY KEY,
    charge_id       text           NOT NULL,
    amount          numeric(18, 2) NOT NULL,
    succeeded       boolean        NOT NULL,
    reason          text,
    charged_at      timestamptz    NOT NULL
);

-- Account facts from billing.accounts.events (projection payments.account_facts).
CREATE TABLE account_facts (
    account_id      text PRIMARY KEY,
    client_id       text           NOT NULL,
    organization_id text,
    payment_form    text           NOT NULL,
    opened_at       timestamptz    NOT NULL,
    opening_balance numeric(18, 2) NOT NULL DEFAULT 0,
    status          text           NOT NULL DEFAULT 'active',
    closed_at       timestamptz
);

CREATE TABLE client_facts (
    client_id     text PRIMARY KEY,
    kind          text NOT NULL,
    contract_date date
);

-- Monthly fees of an account's lines (`line:<id>`) and add-ons (`addon:<line>:<service>`).
CREATE TABLE account_fees (
    account_id   text           NOT NULL,
    item_id      text           NOT NULL,
    monthly_fee  numeric(18, 4) NOT NULL,
    active_from  date,
    active_until date,
    next_fee     numeric(18, 4),
    next_from    date,
    PRIMARY KEY (account_id, item_id)
);
