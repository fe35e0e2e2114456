-- What each projection has applied, per stream: a redelivered event is skipped, a missing one noticed.
CREATE TABLE projection_streams (
    projection      text    NOT NULL,
    stream_id       text    NOT NULL,
    stream_version  integer NOT NULL,
    global_position bigint,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, stream_id)
);

CREATE TABLE projection_gaps (
    projection     text    NOT NULL,
    stream_id      text    NOT NULL,
    expected       integer NOT NULL,
    received       integer NOT NULL,
    noticed_at     timestamptz NOT NULL DEFAULT now()
);
