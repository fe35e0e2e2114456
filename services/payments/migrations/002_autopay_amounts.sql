-- The amount autopay decided to charge for an account and period, fixed at the first decision:
-- every retry sends it again under the same idempotency key (the provider answers for the first
-- charge whatever a retry asks, so a retry must never ask, nor record, a recomputed amount).
CREATE TABLE autopay_amounts (
    idempotency_key text PRIMARY KEY,
    account_id      text           NOT NULL,
    period          text           NOT NULL,
    amount          numeric(18, 2) NOT NULL,
    decided_at      timestamptz    NOT NULL
);
