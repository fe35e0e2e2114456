-- Sessions that ended before their access tokens expired (issue 10, item 6): logout, a reused
-- refresh token (theft), a password change. Written in the transaction that revokes the session's
-- refresh tokens (auth/sessions.py); every authenticated request asks it by primary key, the cabinet's
-- pages inside their one read, so an access token stops working at the next request, whichever
-- worker answers it. A row is needed only while an access token issued before the end could still
-- be valid: rows older than the longest access-token lifetime (1 h) are deleted as new ones come.
CREATE TABLE ended_sessions (
    session_id text PRIMARY KEY,
    ended_at   timestamptz NOT NULL
);
CREATE INDEX ended_sessions_by_time ON ended_sessions (ended_at);
