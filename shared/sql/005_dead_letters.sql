-- Dead letters of this service's projections (shared/deadletters.py): one row per message a
-- projection sent to `<topic>.dlq`, open until ops retry it (back to its topic) or drop it; and
-- every ops action on a dead letter, with who did it and when (`make replay ARGS='dlq ...'`).
CREATE TABLE dead_letters (
    projection       text        NOT NULL,
    source           text        NOT NULL, -- "<topic>@<partition>:<offset>", or "<topic>#<stream>@<version>" (parked)
    topic            text        NOT NULL,
    event_type       text,
    stream_id        text,
    stream_version   integer,
    error            text        NOT NULL,
    dead_lettered_at timestamptz NOT NULL DEFAULT now(),
    resolution       text CHECK (resolution IN ('retried', 'dropped')),
    resolved_by      text,
    resolved_at      timestamptz,
    PRIMARY KEY (projection, source)
);
CREATE INDEX dead_letters_open ON dead_letters (projection) WHERE resolution IS NULL;

CREATE TABLE dlq_actions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    action      text        NOT NULL CHECK (action IN ('retry', 'drop')),
    dlq_topic   text        NOT NULL,
    dlq_partition integer   NOT NULL,
    dlq_offset  bigint      NOT NULL,
    projection  text,
    source      text,
    note        text
);
