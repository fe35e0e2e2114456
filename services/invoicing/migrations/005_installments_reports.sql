-- Installments, reports, «Excel с разбивкой» and the current month's charges by e-mail (issue 11
-- items 2, 6, 7, 8).

-- Equipment sold in installments, as the cabinet's «Информация по рассрочке» reads it: written in the
-- transaction that appends InstallmentRegistered / InstallmentPaidOff to the account's charges stream.
-- What was charged so far is read from charge_lines (item `installment:<installment_id>`).
CREATE TABLE installments (
    installment_id text PRIMARY KEY,
    account_id     text           NOT NULL,
    line_id        text,
    description    text           NOT NULL,
    total          numeric(18, 2) NOT NULL,
    payments       integer        NOT NULL,
    first_month    date           NOT NULL,
    monthly_amount numeric(18, 2) NOT NULL,
    last_amount    numeric(18, 2) NOT NULL,
    registered_at  timestamptz    NOT NULL,
    paid_off_at    timestamptz
);
CREATE INDEX installments_by_account ON installments (account_id);
CREATE INDEX charge_lines_installments ON charge_lines (account_id, item) WHERE kind = 'installment';

-- Every payment invoicing's projection of billing.payments.events saw, for the reports of payments
-- and charges (a reversal marks its payment).
CREATE TABLE payment_records (
    payment_id  text PRIMARY KEY,
    account_id  text           NOT NULL,
    amount      numeric(18, 2) NOT NULL,
    method      text           NOT NULL,
    paid_at     timestamptz    NOT NULL,
    reversed    boolean        NOT NULL DEFAULT false
);
CREATE INDEX payment_records_by_account ON payment_records (account_id, paid_at);

-- Reports of payments and charges for a period (seed 002 «Отчёты»), ordered in the cabinet, made by
-- the document worker after the order committed, then downloadable.
CREATE TABLE report_documents (
    report_id  text PRIMARY KEY,
    account_id text        NOT NULL,
    date_from  date        NOT NULL,
    date_to    date        NOT NULL,
    format     text        NOT NULL CHECK (format IN ('pdf', 'xlsx')),
    status     text        NOT NULL DEFAULT 'ordered' CHECK (status IN ('ordered', 'ready', 'failed')),
    reason     text,
    content    bytea,
    size       integer,
    file_name  text,
    ordered_at timestamptz NOT NULL,
    ordered_by text        NOT NULL,
    ready_at   timestamptz
);
CREATE INDEX report_documents_ordered ON report_documents (ordered_at) WHERE status = 'ordered';
CREATE INDEX report_documents_by_account ON report_documents (account_id, ordered_at DESC);

-- «Excel с разбивкой» (xlsx_split): usage split into working hours 9:00-18:00, non-working hours and
-- weekends/holidays; and the current month's charges per subscriber by e-mail (kind `charges`).
ALTER TABLE invoice_documents DROP CONSTRAINT invoice_document_format,
    ADD CONSTRAINT invoice_document_format CHECK (format IN ('pdf', 'xlsx', 'xlsx_split'));
ALTER TABLE invoice_delivery DROP CONSTRAINT invoice_delivery_format_check,
    ADD CONSTRAINT invoice_delivery_format_check CHECK (format IN ('pdf', 'xlsx', 'xlsx_split'));
ALTER TABLE invoice_mailings DROP CONSTRAINT invoice_mailings_format_check,
    ADD CONSTRAINT invoice_mailings_format_check CHECK (format IN ('pdf', 'xlsx', 'xlsx_split')),
    DROP CONSTRAINT invoice_mailings_kind_check,
    ADD CONSTRAINT invoice_mailings_kind_check CHECK (kind IN ('regular', 'resend', 'preliminary', 'charges'));
