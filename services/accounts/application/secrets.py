"""One-time secrets: generated here, stored only as argon2id hashes, checked once.

A code is consumed in one transaction holding its row lock, so the same code presented twice at
once passes once; five wrong guesses burn it."""

from __future__ import annotations

import secrets
import string

from services.accounts.application.context import Accounts
from shared.errors import Unauthenticated

__all__ = ["consume_code", "new_code", "new_temporary_password"]

_ALPHABET = string.ascii_letters + string.digits


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def new_temporary_password() -> str:
    """Ten letters and digits, like the seed's `GVAdfECr5f`, with at least one of each."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


async def consume_code(ctx: Accounts, user_id: str, purpose: str, code: str, target: str | None = None) -> None:
    """Accept `code` once, or raise: invalid (wrong, none, or sent to another `target` than the
    one given), expired, or already used."""
    now = ctx.clock.now()
    invalid = Unauthenticated("auth.code_invalid", "the code is wrong; ask for a new one")
    refusal: Unauthenticated | None = None
    async with ctx.store.pool.acquire() as conn, conn.transaction():  # a refusal still commits
        row = await ctx.credentials.lock_code(conn, user_id, purpose)
        if row is None or row.failed_attempts >= ctx.code_max_failures or (
                target is not None and row.target != target):
            await ctx.hasher.verify(None, code)
            refusal = invalid
        elif not await ctx.hasher.verify(row.code_hash, code):
            await ctx.credentials.mark_code(conn, user_id, purpose, used_at=None)
            refusal = invalid
        elif row.used_at is not None:
            refusal = Unauthenticated("auth.code_used", "this code was already used; ask for a new one")
        elif row.expires_at <= now:
            refusal = Unauthenticated("auth.code_expired", "this code has expired; ask for a new one")
        else:
            await ctx.credentials.mark_code(conn, user_id, purpose, used_at=now)
    if refusal is not None:
        raise refusal
