-- The client's requisites page (EXTRAS #21, #49): settlement accounts, legal address, how and where
-- invoices are delivered. Older ClientRegistered events lack the newer fields (null / empty).
ALTER TABLE cabinet_clients
    ADD COLUMN bank_accounts    text[] NOT NULL DEFAULT '{}',
    ADD COLUMN legal_address    text,
    ADD COLUMN invoice_delivery text,
    ADD COLUMN invoice_address  text;
