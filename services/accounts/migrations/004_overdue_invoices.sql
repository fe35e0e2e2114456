-- Postpaid suspension (issue 11 item 4): the regular invoices invoicing issued (InvoiceIssued) and
-- which of them it found unpaid past their due date with no payment guarantee covering them
-- (InvoiceOverdue). Payments pay invoices oldest first, so what is left unpaid of the overdue ones is
-- the invoices up to the latest overdue one less the account's opening balance and what payments
-- moved (application/funds.py); the account stays suspended while that is above zero.
CREATE TABLE account_invoices (
    invoice_id text PRIMARY KEY,
    account_id text           NOT NULL,
    period     date           NOT NULL,
    total      numeric(18, 4) NOT NULL,
    overdue    boolean        NOT NULL DEFAULT false
);
CREATE INDEX account_invoices_by_account ON account_invoices (account_id, period);
