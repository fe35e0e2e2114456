-- One fee schedule, invoicing's (issue 11 item 3): the period-end reminder reads the fees invoicing
-- forecasts per account and period (FeesForecast) instead of a copy of the schedule kept from
-- accounts' lines and add-ons, which goes. Charges join the funds (shared/funds.py): `credited` is
-- the opening balance and what payments moved (the column `available` was, before charges), and
-- `charged` the sum of the charges, unrounded; each charge counts once per charge_id.
DROP TABLE account_fees;

ALTER TABLE account_funds RENAME COLUMN available TO credited;
ALTER TABLE account_funds ADD COLUMN charged numeric(18, 4) NOT NULL DEFAULT 0;

CREATE TABLE fee_forecasts (
    account_id text           NOT NULL,
    period     date           NOT NULL,  -- the first day of the billing period
    amount     numeric(18, 2) NOT NULL,
    at         timestamptz    NOT NULL,
    PRIMARY KEY (account_id, period)
);

CREATE TABLE posted_charges (
    charge_id  text PRIMARY KEY,
    account_id text           NOT NULL,
    total      numeric(18, 4) NOT NULL
);
