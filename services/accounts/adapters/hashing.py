"""argon2id hashes of passwords, temporary passwords and one-time codes (argon2-cffi).

Hashing is CPU work of tens of milliseconds by design, so it runs in a worker thread and never
stalls the event loop. An unknown login is checked against a dummy hash, so that a wrong login
and a wrong password take the same time."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services.accounts.application.ports import SecretHasher

__all__ = ["Argon2Hasher"]


class Argon2Hasher(SecretHasher):
    def __init__(self, *, time_cost: int = 2, memory_kib: int = 19456, parallelism: int = 1) -> None:
        # OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._dummy = self._hasher.hash("not-a-password-of-anyone")

    async def hash(self, secret: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, secret)

    async def verify(self, stored: str | None, secret: str) -> bool:
        """True if `secret` matches `stored`; with no stored hash, spend the same time and say no."""
        return await asyncio.to_thread(self._verify, stored, secret)

    def _verify(self, stored: str | None, secret: str) -> bool:
        try:
            return self._hasher.verify(stored or self._dummy, secret) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
