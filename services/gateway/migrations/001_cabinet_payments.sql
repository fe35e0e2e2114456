-- The cabinet's read models of accounts' money, fed by billing.payments.events.
CREATE TABLE cabinet_accounts (
    account_id  text PRIMARY KEY,
    balance     numeric(18, 2) NOT NULL DEFAULT 0,
    paid_total  numeric(18, 2) NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE cabinet_payments (
    payment_id    uuid PRIMARY KEY,
    account_id    text           NOT NULL,
    amount        numeric(18, 2) NOT NULL,
    method        text           NOT NULL,
    external_id   text           NOT NULL,
    paid_at       timestamptz    NOT NULL,
    registered_at timestamptz    NOT NULL
);
CREATE INDEX cabinet_payments_by_account ON cabinet_payments (account_id, paid_at DESC, payment_id);
