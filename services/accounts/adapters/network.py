"""The network side of service lines (application/ports.py `NetworkAccess`).

`DevNetwork` stands in for the operator's RADIUS/PPPoE server and TV platform on the dev stack and
in tests: it keeps, per line, only a SHA-256 of the password (to prove a later check would pass)
and logs that a password was set, never the password. It can be told to be unreachable
(`reachable = False`), as a real network API may be: the change is then refused with 503
`network.unavailable` and nothing is recorded."""

from __future__ import annotations

import hashlib

from services.accounts.application.ports import NetworkAccess
from shared.errors import DomainError
from shared.logging import get_logger

__all__ = ["DevNetwork", "NetworkUnavailable", "NoNetwork", "network_for"]

log = get_logger(__name__)


class NetworkUnavailable(DomainError):
    status = 503

    def __init__(self) -> None:
        super().__init__("network.unavailable", "the network did not take the change just now; nothing changed,"
                                                " try again")


class DevNetwork(NetworkAccess):
    def __init__(self) -> None:
        self.reachable = True
        self._digests: dict[str, str] = {}
        self.settings: dict[tuple[str, str], str] = {}

    async def set_service_password(self, account_id: str, line_id: str, kind: str, login: str, password: str) -> None:
        if not self.reachable:
            raise NetworkUnavailable()
        self._digests[line_id] = hashlib.sha256(password.encode()).hexdigest()
        log.info("network.service_password_set", account_id=account_id, line_id=line_id, kind=kind, login=login)

    async def apply_line_setting(self, account_id: str, line_id: str, setting: str, value: str | None) -> None:
        if not self.reachable:
            raise NetworkUnavailable()
        if value is None:
            self.settings.pop((line_id, setting), None)
        else:
            self.settings[(line_id, setting)] = value
        log.info("network.line_setting_applied", account_id=account_id, line_id=line_id, setting=setting)

    def accepts(self, line_id: str, password: str) -> bool:
        """Would the network let this password in (the dev stack's check)."""
        return self._digests.get(line_id) == hashlib.sha256(password.encode()).hexdigest()


class NoNetwork(NetworkAccess):
    """Production until an operator's network API is wired: a service password cannot be changed
    from the cabinet (503 `network.not_configured`), rather than pretending it was."""

    async def set_service_password(self, account_id: str, line_id: str, kind: str, login: str, password: str) -> None:
        raise _NotConfigured()

    async def apply_line_setting(self, account_id: str, line_id: str, setting: str, value: str | None) -> None:
        raise _NotConfigured()


class _NotConfigured(DomainError):
    status = 503

    def __init__(self) -> None:
        super().__init__("network.not_configured", "this is changed through support for now (no network API yet)")


def network_for(environment: str) -> NetworkAccess:
    return NoNetwork() if environment == "prod" else DevNetwork()
