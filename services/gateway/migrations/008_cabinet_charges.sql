-- Charges join the cabinet's funds (shared/funds.py): `cabinet_accounts.charged` is the sum of the
-- charge totals billing.invoicing.events posted, unrounded (4 decimals; the pages round once), and
-- `cabinet_posted_charges` the charges already counted, one row per charge_id, so a charge
-- delivered or posted again changes nothing. Projection gateway.cabinet_payments, which now reads
-- invoicing's topic too: the summary and the balance stay one primary-key read of the same row.
ALTER TABLE cabinet_accounts ADD COLUMN charged numeric(18, 4) NOT NULL DEFAULT 0;

CREATE TABLE cabinet_posted_charges (
    charge_id  text PRIMARY KEY,
    account_id text           NOT NULL,
    total      numeric(18, 4) NOT NULL,
    posted_at  timestamptz    NOT NULL
);
