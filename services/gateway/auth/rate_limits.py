"""Rate limits kept in PostgreSQL, so every gateway worker counts the same attempts.

A fixed window per bucket (`login:1015`, `address:10.0.0.7`, `code:375291234567`): one atomic
upsert counts the attempt *before* the check it protects, so concurrent attempts cannot slip
through between a read and a write."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from shared.db import Pool
from shared.errors import RateLimited
from shared.phones import login_key

__all__ = ["count_attempt", "forget", "login_bucket_key"]

_HIT = """
INSERT INTO rate_limit_windows (bucket, window_started_at, attempts) VALUES ($1, $2, 1)
ON CONFLICT (bucket) DO UPDATE SET
    attempts = CASE WHEN rate_limit_windows.window_started_at <= $2 - $3::interval
                    THEN 1 ELSE rate_limit_windows.attempts + 1 END,
    window_started_at = CASE WHEN rate_limit_windows.window_started_at <= $2 - $3::interval
                             THEN $2 ELSE rate_limit_windows.window_started_at END
RETURNING attempts, window_started_at
"""


def login_bucket_key(login_or_phone: str) -> str:
    """One key for every spelling of a login that reaches the same user, so reformatting a phone
    (`+7 (911) 000-10-15`, `8 911 000-10-15`, `79110001015`) counts in one bucket: the phone form of
    shared/phones.py `login_key`, which the accounts service looks users up by."""
    return login_key(login_or_phone)[1]


async def count_attempt(pool: Pool, bucket: str, limit: int, window: timedelta, now: datetime) -> None:
    """Count one attempt in `bucket`; raise RateLimited once more than `limit` fall in the window."""
    row = await pool.fetchrow(_HIT, bucket, now, window)
    assert row is not None
    if row["attempts"] > limit:
        retry_after = row["window_started_at"] + window - now
        raise RateLimited(
            "auth.rate_limited", "too many attempts; try again later",
            retry_after_s=max(1, math.ceil(retry_after.total_seconds())),
        )


async def forget(pool: Pool, bucket: str) -> None:
    """A successful login clears its login's count (never the address's)."""
    await pool.execute("DELETE FROM rate_limit_windows WHERE bucket = $1", bucket)
