-- The cabinet's read models of reversals, promised payments, autopay and payment guarantees,
-- fed by billing.payments.events (projection gateway.cabinet_payments).
ALTER TABLE cabinet_accounts
    ADD COLUMN promised_outstanding numeric(18, 2) NOT NULL DEFAULT 0;

ALTER TABLE cabinet_payments
    ADD COLUMN top_up_id       text,
    ADD COLUMN reversed_at     timestamptz,
    ADD COLUMN reversal_reason text;

CREATE TABLE cabinet_promised_payments (
    promised_payment_id text PRIMARY KEY,
    account_id          text           NOT NULL,
    amount              numeric(18, 2) NOT NULL,
    taken_at            timestamptz    NOT NULL,
    due_at              timestamptz    NOT NULL,
    repaid              numeric(18, 2) NOT NULL DEFAULT 0,
    withdrawn           numeric(18, 2) NOT NULL DEFAULT 0,
    status              text           NOT NULL,
    settled_at          timestamptz
);
CREATE INDEX cabinet_promised_payments_by_account ON cabinet_promised_payments (account_id, taken_at DESC);

CREATE TABLE cabinet_autopay (
    account_id    text PRIMARY KEY,
    enabled       boolean        NOT NULL,
    provider      text,
    method_masked text,
    cap           numeric(18, 2),
    last_period   text,
    last_outcome  text,
    last_amount   numeric(18, 2),
    last_reason   text,
    updated_at    timestamptz    NOT NULL
);

CREATE TABLE cabinet_guarantees (
    guarantee_id  text PRIMARY KEY,
    account_id    text           NOT NULL,
    amount        numeric(18, 2) NOT NULL,
    pay_by        date           NOT NULL,
    invoice_ref   text,
    registered_at timestamptz    NOT NULL
);
CREATE INDEX cabinet_guarantees_by_account ON cabinet_guarantees (account_id, registered_at DESC);
