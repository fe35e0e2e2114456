-- A mobile line's SIM codes (EXTRAS #24), as the office records them from the SIM inventory. They
-- are shown to the number's own subscriber and the organization's admin, so they are kept (not
-- hashed), here only: never in an event, an answer to anyone else, or a log line.
CREATE TABLE sim_codes (
    line_id     text PRIMARY KEY,
    account_id  text NOT NULL,
    pin1        text NOT NULL,
    puk1        text NOT NULL,
    pin2        text NOT NULL,
    puk2        text NOT NULL,
    recorded_at timestamptz NOT NULL
);
