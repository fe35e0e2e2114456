-- Cabinet sessions: opaque refresh tokens, stored only as their SHA-256 (a token is 256 random
-- bits, so a fast hash suffices); a used token is replaced (rotation), a reused one revokes its
-- whole session; logout revokes.
CREATE TABLE refresh_tokens (
    token_hash  text PRIMARY KEY,
    session_id  uuid        NOT NULL,
    user_id     text        NOT NULL,
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

-- Login and code attempts per fixed window, shared by every gateway worker.
CREATE TABLE rate_limit_windows (
    bucket            text PRIMARY KEY,
    window_started_at timestamptz NOT NULL,
    attempts          integer     NOT NULL
);
