-- The invoicing service's own tables beside its event store (services/invoicing).

-- What invoicing knows of each account to charge it (projection invoicing.account_plans of
-- billing.accounts.events): one JSON document per account (domain/plan.py), with the days it was in
-- service for the bill run's selection.
CREATE TABLE account_plans (
    account_id   text PRIMARY KEY,
    opened_on    date,
    closed_on    date,
    -- what the day timer asks: every tariff the plan had (daily accruals post every day) and the
    -- first days of its blocks (a block's own fee is posted that day)
    tariff_ids   text[]      NOT NULL DEFAULT '{}',
    block_starts date[]      NOT NULL DEFAULT '{}',
    plan         jsonb       NOT NULL,
    changed_at   timestamptz NOT NULL
);

-- Accounts whose charges must be looked at again (a fact arrived, a day began). A worker takes them
-- with FOR UPDATE SKIP LOCKED and posts what is due, each in the transaction that deletes its row;
-- one that failed waits (not_before) and never holds the others back.
CREATE TABLE posting_queue (
    account_id     text PRIMARY KEY,
    queued_at      timestamptz NOT NULL,
    not_before     timestamptz NOT NULL,
    correlation_id text,
    failures       integer     NOT NULL DEFAULT 0
);
CREATE INDEX posting_queue_due ON posting_queue (not_before);

-- Every ChargePosted as the charges page reads it, written in the transaction that appends the
-- event (label and whole: how the page names and prorates the item's row).
CREATE TABLE charge_lines (
    charge_id   text PRIMARY KEY,
    account_id  text           NOT NULL,
    period      date           NOT NULL,
    line_id     text,
    kind        text           NOT NULL,
    item        text           NOT NULL,
    label       text           NOT NULL,
    whole       boolean        NOT NULL DEFAULT false,
    description text           NOT NULL,
    from_day    date           NOT NULL,
    to_day      date           NOT NULL,
    quantity    text,
    monthly_fee numeric(18, 4),
    net         numeric(18, 4) NOT NULL,
    vat_rate    numeric        NOT NULL,
    vat         numeric(18, 4) NOT NULL,
    other_tax   numeric(18, 4) NOT NULL,
    total       numeric(18, 4) NOT NULL,
    posted_at   timestamptz    NOT NULL
);
CREATE INDEX charge_lines_by_account ON charge_lines (account_id, period);

-- Invoice numbers: one counter row per series, locked (UPDATE) by the transaction that inserts the
-- invoice, so numbers are gapless under concurrent workers: a rolled-back invoice gives its number back.
CREATE TABLE invoice_series (
    series      text PRIMARY KEY,
    last_number bigint NOT NULL DEFAULT 0
);

-- Regular invoices: one per account and period by constraint, not by a check before inserting.
-- Documents (PDF/XLSX) and delivery follow in their own tables, keyed by invoice_id.
CREATE TABLE invoices (
    invoice_id   text PRIMARY KEY,
    account_id   text           NOT NULL,
    period       date           NOT NULL,
    kind         text           NOT NULL DEFAULT 'regular',
    series       text           NOT NULL REFERENCES invoice_series (series),
    seq          bigint         NOT NULL,
    number       text           NOT NULL,
    payment_form text           NOT NULL,
    net          numeric(18, 4) NOT NULL,
    vat          numeric(18, 4) NOT NULL,
    other_tax    numeric(18, 4) NOT NULL,
    total        numeric(18, 4) NOT NULL,
    issued_at    timestamptz    NOT NULL,
    due_on       date           NOT NULL,
    -- the month's last subscriber names: [{line_id, identifier, subscriber_name}]
    subscribers  jsonb          NOT NULL,
    bill_run     date,
    CONSTRAINT one_regular_invoice_per_account_and_period UNIQUE (account_id, period, kind),
    CONSTRAINT invoice_numbers_unique UNIQUE (series, seq)
);
CREATE INDEX invoices_by_account ON invoices (account_id, period DESC);

-- Bill runs at period close: where the run is (accounts in id order after `cursor`), its progress.
CREATE TABLE bill_runs (
    period         date PRIMARY KEY,
    started_at     timestamptz NOT NULL,
    -- the run's batches wait until then: facts of the period's last moments still in flight arrive first
    not_before     timestamptz NOT NULL,
    accounts_total integer     NOT NULL,
    cursor         text        NOT NULL DEFAULT '',
    done           integer     NOT NULL DEFAULT 0,
    issued         integer     NOT NULL DEFAULT 0,
    finished_at    timestamptz
);

-- Documents of an invoice the cabinet ordered (PDF/XLSX), one per invoice and format: recorded by
-- the order (refused on days 1-3), made after commit by the document worker, then downloadable.
CREATE TABLE invoice_documents (
    invoice_id  text        NOT NULL REFERENCES invoices (invoice_id),
    format      text        NOT NULL,
    status      text        NOT NULL DEFAULT 'ordered',
    ordered_at  timestamptz NOT NULL,
    ordered_by  text        NOT NULL,
    ready_at    timestamptz,
    content     bytea,
    PRIMARY KEY (invoice_id, format)
);
