-- Support requests as the cabinet lists them (kept by the commands, in their transaction): the
-- list (id, title, last update, response time) and each request's thread.
CREATE TABLE support_requests (
    request_id      text PRIMARY KEY,
    account_id      text NOT NULL,
    author_user_id  text NOT NULL,
    topic           text NOT NULL,
    title           text NOT NULL,
    status          text NOT NULL DEFAULT 'open',
    filed_at        timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    first_answer_at timestamptz
);
CREATE INDEX support_requests_by_account ON support_requests (account_id, updated_at DESC);

CREATE TABLE support_messages (
    request_id text NOT NULL REFERENCES support_requests (request_id),
    message_no integer NOT NULL,
    by_role    text NOT NULL,
    user_id    text NOT NULL,
    text       text NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (request_id, message_no)
);
