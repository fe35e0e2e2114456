-- The account summary page, one row per account (written by the cabinet_accounts projection in the
-- transaction of each accounts event it applies; projections/cabinet_summaries.py). `page` holds what
-- does not depend on the date (client, status, lines with their add-ons); `block_terms` and `blocks`
-- are turned into the blocks section at read time (what is still available this year depends on
-- today). The money comes from `cabinet_accounts` (the payments projection) joined by the same key,
-- and is computed by the one funds formula (cabinet_payments_queries.funds).
CREATE TABLE cabinet_summaries (
    account_id      text PRIMARY KEY,
    organization_id text,
    opening_balance numeric(18, 2) NOT NULL,
    page            jsonb          NOT NULL,
    block_terms     jsonb,
    blocks          jsonb          NOT NULL DEFAULT '[]'::jsonb
);
