"""The SIP switch port's adapters (no real switch's API is wired yet). The dev adapter stands in for
the switch on a dev stack and in tests: it keeps a salted hash of each line's password in memory (to
check what was set) and never logs or stores the secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from shared.errors import DomainError

__all__ = ["DevSipSwitch", "NoSipSwitch"]


class SwitchNotConfigured(DomainError):
    status = 503


class NoSipSwitch:
    """Production until the switch's credentials API is wired: a password change is refused (503
    `sip.switch_not_configured`) rather than accepted and lost; everything else works."""

    async def set_password(self, identifier: str, password: str) -> None:
        raise SwitchNotConfigured("sip.switch_not_configured",
                                  "the SIP switch's credentials API is not configured here")


class DevSipSwitch:
    def __init__(self) -> None:
        self._salt = secrets.token_bytes(16)
        self._hashes: dict[str, bytes] = {}

    def _hash(self, password: str) -> bytes:
        return hashlib.pbkdf2_hmac("sha256", password.encode(), self._salt, 1000)

    async def set_password(self, identifier: str, password: str) -> None:
        self._hashes[identifier] = self._hash(password)

    def holds(self, identifier: str, password: str) -> bool:
        """Whether `password` is the one the switch has for `identifier` (tests, the dev stack)."""
        known = self._hashes.get(identifier)
        return known is not None and hmac.compare_digest(known, self._hash(password))
