-- Durable timers: commands scheduled for a time, claimed with FOR UPDATE SKIP LOCKED.
CREATE TABLE timers (
    timer_key  text PRIMARY KEY,
    kind       text        NOT NULL,
    due_at     timestamptz NOT NULL,
    payload    jsonb       NOT NULL,
    fired_at   timestamptz,
    cancelled_at timestamptz,
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text
);
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;
