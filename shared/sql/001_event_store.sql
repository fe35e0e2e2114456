-- The append-only event store; it is also the outbox the relay publishes.
CREATE TABLE events (
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id       text        NOT NULL,
    stream_type     text        NOT NULL,
    stream_version  integer     NOT NULL CHECK (stream_version > 0),
    event_id        uuid        NOT NULL UNIQUE,
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL,
    partition_key   text,
    payload         jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    -- The id of the writing transaction: readers only go below the oldest running one, so a
    -- transaction that commits late is never skipped (see shared/eventstore.py).
    transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_commit_order ON events (transaction_id, global_position);

-- A repeated command (same Idempotency-Key, provider payment id, CDR call id) returns its first result.
CREATE TABLE idempotency_keys (
    key          text PRIMARY KEY,
    fingerprint  text        NOT NULL,
    result       jsonb,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE snapshots (
    stream_id      text PRIMARY KEY,
    stream_version integer     NOT NULL,
    state          jsonb       NOT NULL,
    taken_at       timestamptz NOT NULL DEFAULT now()
);

-- Where the relay has published up to, in commit order.
CREATE TABLE relay_checkpoints (
    relay           text PRIMARY KEY,
    transaction_id  xid8   NOT NULL,
    global_position bigint NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
