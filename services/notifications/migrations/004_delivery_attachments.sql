-- A document a message carries as an attachment (a call-detail file ordered in the cabinet): kept
-- with its message until it is delivered, sent by the same tries as any e-mail.
CREATE TABLE delivery_attachments (
    message_id   uuid PRIMARY KEY REFERENCES deliveries (message_id),
    filename     text  NOT NULL,
    content_type text  NOT NULL,
    content      bytea NOT NULL
);
