"""What every use case of the accounts service works with, wired once by the composition root
(app.py): the event store, the clock, the billing time zone, the tariff catalogue and the ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from services.accounts.application.ports import Credentials, NetworkAccess, SecretCourier, SecretHasher, TvPartners
from services.accounts.domain.support import Article
from services.accounts.domain.tariffs import TariffCatalogue
from shared.calendar import local_date
from shared.clock import Clock
from shared.eventstore import EventStore

__all__ = ["Accounts"]


@dataclass(frozen=True)
class Accounts:
    store: EventStore
    clock: Clock
    timezone: ZoneInfo
    catalogue: TariffCatalogue
    credentials: Credentials
    hasher: SecretHasher
    courier: SecretCourier
    network: NetworkAccess
    tv_partners: TvPartners
    temporary_password_ttl: timedelta = timedelta(hours=24)
    login_code_ttl: timedelta = timedelta(minutes=10)
    #: Wrong guesses after which a one-time code is burnt.
    code_max_failures: int = 5
    #: The knowledge base's pages (static, from the operator's file).
    knowledge_base: tuple[Article, ...] = ()
    #: How long a TV partner's API may take to answer.
    tv_partner_timeout_s: float = 5.0

    def today(self) -> date:
        """The billing day now: blocks and month ends are days in the operator's time zone."""
        return local_date(self.clock.now(), self.timezone)
