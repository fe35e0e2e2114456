"""Refresh tokens: opaque, stored as their SHA-256, rotated on every use.

A refresh token presented a second time means it leaked (the rightful client already swapped it):
the whole session is revoked, so the thief's copy and the victim's new one both stop working."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.db import Connection, Pool
from shared.errors import Unauthenticated

__all__ = ["Rotated", "open_session", "revoke_session", "rotate_refresh_token"]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _issue(conn: Connection, session_id: uuid.UUID, user_id: str, now: datetime, ttl: timedelta,
                 must_change_password: bool) -> str:
    token = secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id, user_id, issued_at, expires_at, must_change_password)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        _digest(token), session_id, user_id, now, now + ttl, must_change_password,
    )
    return token


@dataclass(frozen=True)
class Rotated:
    user_id: str
    session_id: str
    refresh_token: str
    must_change_password: bool  # the session was opened with a password change due


async def open_session(pool: Pool, user_id: str, now: datetime, ttl: timedelta,
                       must_change_password: bool = False) -> tuple[str, str]:
    """A new session for `user_id`: (session id, refresh token). A session opened with a password
    change due (a temporary password) keeps it due in every refreshed token."""
    session_id = uuid.uuid4()
    async with pool.acquire() as conn:
        token = await _issue(conn, session_id, user_id, now, ttl, must_change_password)
    return str(session_id), token


async def rotate_refresh_token(pool: Pool, token: str, now: datetime, ttl: timedelta) -> Rotated:
    """Swap a refresh token for a new one of the same session."""
    invalid = Unauthenticated("auth.refresh_invalid", "the refresh token is not valid; log in again")
    reused = False
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "SELECT session_id, user_id, expires_at, used_at, revoked_at, must_change_password FROM refresh_tokens"
            " WHERE token_hash = $1 FOR UPDATE",
            _digest(token),
        )
        if row is None or row["revoked_at"] is not None or row["expires_at"] <= now:
            raise invalid
        if row["used_at"] is not None:
            await conn.execute(
                "UPDATE refresh_tokens SET revoked_at = $2 WHERE session_id = $1 AND revoked_at IS NULL",
                row["session_id"], now,
            )
            reused = True
        else:
            await conn.execute("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1", _digest(token), now)
            new_token = await _issue(conn, row["session_id"], row["user_id"], now, ttl, row["must_change_password"])
    if reused:
        raise Unauthenticated("auth.refresh_reused", "this refresh token was already used; the session is closed")
    return Rotated(row["user_id"], str(row["session_id"]), new_token, row["must_change_password"])


async def revoke_session(pool: Pool, token: str, now: datetime) -> None:
    """Logout: every refresh token of the token's session stops working."""
    await pool.execute(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE revoked_at IS NULL AND session_id ="
        " (SELECT session_id FROM refresh_tokens WHERE token_hash = $1)",
        _digest(token), now,
    )
