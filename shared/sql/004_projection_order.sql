-- Per-stream order for projections (see shared/ordering.py): events that arrived ahead of a missing
-- version wait here until it arrives or the wait is given up; versions given up on are remembered so
-- that they are still applied if they ever arrive.
CREATE TABLE projection_parked (
    projection     text        NOT NULL,
    stream_id      text        NOT NULL,
    stream_version integer     NOT NULL,
    event          jsonb       NOT NULL,
    parked_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, stream_id, stream_version)
);

CREATE TABLE projection_missing (
    projection    text        NOT NULL,
    stream_id     text        NOT NULL,
    first_version integer     NOT NULL,
    last_version  integer     NOT NULL CHECK (last_version >= first_version),
    given_up_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, stream_id, first_version)
);
