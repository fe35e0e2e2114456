-- Documents of invoices (issue 11 item 6): the worker's outcome beside the order. A failed
-- document keeps its reason and is ordered again by the next order of the same invoice and format.
ALTER TABLE invoice_documents
    ADD COLUMN reason         text,
    ADD COLUMN size           integer,
    ADD COLUMN file_name      text,
    -- the version of the document's stream `invoice-document-<invoice>-<format>` (InvoiceDocumentReady)
    ADD COLUMN stream_version integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT invoice_document_status CHECK (status IN ('ordered', 'ready', 'failed')),
    ADD CONSTRAINT invoice_document_format CHECK (format IN ('pdf', 'xlsx'));
-- The worker's queue: orders not made yet, oldest first.
CREATE INDEX invoice_documents_ordered ON invoice_documents (ordered_at) WHERE status = 'ordered';
