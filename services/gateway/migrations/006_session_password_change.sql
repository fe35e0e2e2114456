-- A session opened with a temporary password (or with the first-login change due) stays bound to
-- change the password: every refresh token of that session carries the flag into its access tokens,
-- so refreshing cannot drop it. Changing the password revokes the session and opens a new one.
ALTER TABLE refresh_tokens ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
