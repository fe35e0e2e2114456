-- Invoice delivery (issue 11 item 7; seed 004 2.3.1, 2.3.3, 2.3.5).

-- How an account receives its regular invoices: by e-mail (PDF or XLSX) to one or more addresses, or
-- «Получает сам» (downloads them in the cabinet). No row: «Получает сам». Each change is also an
-- InvoiceDeliveryChanged on the stream `invoice-delivery-<account>` (stream_version).
CREATE TABLE invoice_delivery (
    account_id     text PRIMARY KEY,
    method         text        NOT NULL CHECK (method IN ('email', 'self')),
    format         text        NOT NULL CHECK (format IN ('pdf', 'xlsx')),
    addresses      text[]      NOT NULL DEFAULT '{}',
    changed_at     timestamptz NOT NULL,
    changed_by     text        NOT NULL,
    stream_version integer     NOT NULL
);

-- Invoices to e-mail: a regular invoice at issue (to the address valid then), a re-send of a past
-- period (to the current address), a preliminary invoice of the current month (the whole account or
-- some of its lines). The document worker renders each, stores it and publishes InvoiceMailReady on
-- `invoice-mailing-<mailing_id>`; the notifications service fetches the file and mails it.
CREATE TABLE invoice_mailings (
    mailing_id  text PRIMARY KEY,
    account_id  text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('regular', 'resend', 'preliminary')),
    period      date        NOT NULL,
    invoice_id  text REFERENCES invoices (invoice_id),
    line_ids    text[],
    format      text        NOT NULL CHECK (format IN ('pdf', 'xlsx')),
    addresses   text[]      NOT NULL,
    status      text        NOT NULL DEFAULT 'ordered' CHECK (status IN ('ordered', 'ready', 'failed')),
    reason      text,
    content     bytea,
    file_name   text,
    ordered_at  timestamptz NOT NULL,
    ordered_by  text        NOT NULL,
    ready_at    timestamptz
);
CREATE INDEX invoice_mailings_ordered ON invoice_mailings (ordered_at) WHERE status = 'ordered';
CREATE INDEX invoice_mailings_by_account ON invoice_mailings (account_id, ordered_at DESC);
