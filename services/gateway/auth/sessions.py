"""Refresh tokens: opaque, stored as their SHA-256, rotated on every use; sessions that ended.

A refresh token presented a second time means it leaked (the rightful client already swapped it):
the whole session is revoked, so the thief's copy and the victim's new one both stop working.

A session ends by logout, by such a reuse, or by a password change (every session of the user).
Its refresh tokens are revoked and, in the same transaction, the session is recorded in
`ended_sessions`, which every authenticated request consults by primary key (`session_ended`; the
cabinet's hottest pages ask it inside their one read, projections/*_queries.py), so its access
tokens stop working at the next request on any worker instead of living out their 15 minutes:
401 `auth.session_ended`."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.db import Connection, Pool
from shared.errors import Unauthenticated

__all__ = [
    "ENDED_RETENTION", "Rotated", "end_user_sessions", "open_session", "refuse_ended", "revoke_session",
    "rotate_refresh_token", "session_ended",
]

#: How long an ended session is remembered: the longest an access token issued before the end may
#: still be valid (GatewaySettings.access_token_ttl_s is at most 3600 s). Older rows are deleted.
ENDED_RETENTION = timedelta(hours=1)


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


async def _end_sessions(conn: Connection, session_ids: list[uuid.UUID], now: datetime) -> None:
    """Revoke the sessions' refresh tokens and record them as ended (in the caller's transaction)."""
    if not session_ids:
        return
    await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE session_id = ANY($1::uuid[]) AND revoked_at IS NULL",
        session_ids, now,
    )
    await conn.execute(
        "INSERT INTO ended_sessions (session_id, ended_at) SELECT s::text, $2 FROM unnest($1::uuid[]) AS s"
        " ON CONFLICT (session_id) DO NOTHING",
        session_ids, now,
    )
    await conn.execute("DELETE FROM ended_sessions WHERE ended_at < $1", now - ENDED_RETENTION)


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
            await _end_sessions(conn, [row["session_id"]], now)
            reused = True
        else:
            await conn.execute("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1", _digest(token), now)
            new_token = await _issue(conn, row["session_id"], row["user_id"], now, ttl, row["must_change_password"])
    if reused:
        raise Unauthenticated("auth.refresh_reused", "this refresh token was already used; the session is closed")
    return Rotated(row["user_id"], str(row["session_id"]), new_token, row["must_change_password"])


async def revoke_session(pool: Pool, token: str, now: datetime) -> None:
    """Logout: every refresh token of the token's session stops working, and its access tokens too."""
    async with pool.acquire() as conn, conn.transaction():
        session_id = await conn.fetchval("SELECT session_id FROM refresh_tokens WHERE token_hash = $1", _digest(token))
        if session_id is not None:
            await _end_sessions(conn, [session_id], now)


async def end_user_sessions(pool: Pool, user_id: str, now: datetime) -> None:
    """A password change: every session of the user ends (refresh and access tokens)."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT DISTINCT session_id FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL", user_id
        )
        await _end_sessions(conn, [r["session_id"] for r in rows], now)


async def session_ended(pool: Pool, session_id: str) -> bool:
    """Whether the access token's session has ended: one primary-key read."""
    return bool(await pool.fetchval("SELECT true FROM ended_sessions WHERE session_id = $1", session_id))


def refuse_ended(ended: bool) -> None:
    """401 `auth.session_ended` for an access token whose session has ended."""
    if ended:
        raise Unauthenticated("auth.session_ended", "the session has ended (logout, a reused refresh token or a"
                              " password change); log in again")
