-- The cabinet's "Messages" list (sent, pending, failed), fed by billing.notifications.events.
-- A message about several accounts (a login code for a user of three) is listed under each.
CREATE TABLE cabinet_messages (
    message_id      uuid PRIMARY KEY,
    account_ids     text[]      NOT NULL,
    topic           text        NOT NULL,
    template        text        NOT NULL,
    channel         text        NOT NULL,
    address_masked  text        NOT NULL,
    subject         text,
    text            text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    queued_at       timestamptz NOT NULL,
    send_after      timestamptz NOT NULL,
    next_attempt_at timestamptz,
    sent_at         timestamptz,
    failed_at       timestamptz
);
CREATE INDEX cabinet_messages_by_account ON cabinet_messages USING gin (account_ids);
