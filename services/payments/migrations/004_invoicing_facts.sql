-- One fee schedule, invoicing's (issue 11 item 3): autopay and the promised-payment offer read the
-- fees invoicing forecasts per account and period (FeesForecast), not a copy of the schedule kept
-- from accounts' lines and add-ons, which goes. Charges join the available funds (shared/funds.py):
-- their running sum per account, unrounded, and the charges already counted, one row per charge_id
-- (a charge delivered or posted again changes nothing). Projection payments.account_facts.
DROP TABLE account_fees;

CREATE TABLE fee_forecasts (
    account_id text           NOT NULL,
    period     date           NOT NULL,  -- the first day of the billing period
    amount     numeric(18, 2) NOT NULL,
    at         timestamptz    NOT NULL,
    PRIMARY KEY (account_id, period)
);

CREATE TABLE account_charges (
    account_id text PRIMARY KEY,
    charged    numeric(18, 4) NOT NULL DEFAULT 0
);

CREATE TABLE posted_charges (
    charge_id  text PRIMARY KEY,
    account_id text           NOT NULL,
    total      numeric(18, 4) NOT NULL
);
