"""What the accounts use cases work with, wired once by the composition root (app.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.accounts.adapters.credentials import Credentials
from services.accounts.adapters.hashing import SecretHasher
from services.accounts.application.courier import SecretCourier
from services.accounts.domain.rules import billing_day
from services.accounts.domain.tariffs import TariffCatalogue
from shared.clock import Clock
from shared.commands import CommandResult
from shared.eventstore import EventStore

__all__ = ["Ports", "answer"]


@dataclass(frozen=True)
class Ports:
    store: EventStore
    clock: Clock
    timezone: ZoneInfo
    catalogue: TariffCatalogue
    credentials: Credentials
    hasher: SecretHasher
    courier: SecretCourier
    temporary_password_ttl: timedelta = timedelta(hours=24)
    login_code_ttl: timedelta = timedelta(minutes=10)
    #: Wrong guesses after which a one-time code is burnt.
    code_max_failures: int = 5

    def today(self) -> date:
        return billing_day(self.clock.now(), self.timezone)


def answer(result: CommandResult) -> dict[str, Any]:
    """A command's answer: its body and where its events landed, for read-your-writes."""
    return {**result.body, "stream_id": result.stream_id, "stream_version": result.stream_version,
            "position": result.last_position}
