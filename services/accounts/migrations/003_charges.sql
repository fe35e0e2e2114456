-- Charges join the available funds (shared/funds.py, docs/events.md "Money seen the same way
-- everywhere"): their running sum from billing.invoicing.events, unrounded (charge totals have 4
-- decimals; the funds are rounded once, when read), and the charges already counted, one row per
-- charge_id, so a charge delivered or posted again changes nothing.
ALTER TABLE available_funds ADD COLUMN charged numeric(18, 4) NOT NULL DEFAULT 0;

CREATE TABLE posted_charges (
    charge_id  text PRIMARY KEY,
    account_id text           NOT NULL,
    total      numeric(18, 4) NOT NULL
);
