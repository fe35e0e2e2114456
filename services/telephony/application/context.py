"""What every use case of the telephony service works with, wired once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.telephony.application.ports import DetailMailer, SipSwitch, UsageSink
from services.telephony.domain.rating import RatingPlans
from shared.calendar import local_date
from shared.clock import Clock
from shared.db import Pool
from shared.eventstore import EventStore

__all__ = ["Telephony"]


@dataclass(frozen=True)
class Telephony:
    store: EventStore
    clock: Clock
    tz: ZoneInfo
    plans: RatingPlans
    usage: UsageSink
    switch: SipSwitch
    posting_batch_size: int = 100
    #: The call-detail orders' way out (None where no order is sent: the CSV command, the bench).
    mailer: DetailMailer | None = None

    @property
    def pool(self) -> Pool:
        return self.store.pool

    def today(self, now: datetime | None = None) -> date:
        return local_date(now or self.clock.now(), self.tz)
