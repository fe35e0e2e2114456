-- Overdue regular invoices of postpaid accounts (issue 11 item 4; seed 004 2.2).

-- What invoicing knows of payments (projection invoicing.payment_facts of billing.payments.events):
-- money received per account (payments less reversals) and payment guarantees with the invoice they
-- promise to pay.
CREATE TABLE account_payments (
    account_id text PRIMARY KEY,
    paid       numeric(18, 2) NOT NULL DEFAULT 0
);
CREATE TABLE payment_guarantees (
    guarantee_id text PRIMARY KEY,
    account_id   text           NOT NULL,
    amount       numeric(18, 2) NOT NULL,
    pay_by       date           NOT NULL,
    invoice_ref  text
);
CREATE INDEX payment_guarantees_by_account ON payment_guarantees (account_id);

-- An invoice found unpaid after its due date (and no guarantee covering it) is marked once, in the
-- transaction that appends its InvoiceOverdue (stream `invoice-<invoice_id>`).
ALTER TABLE invoices ADD COLUMN overdue_at timestamptz;
CREATE INDEX invoices_due ON invoices (due_on) WHERE overdue_at IS NULL;
