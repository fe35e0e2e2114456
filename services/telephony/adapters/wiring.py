"""The use cases' context on the service's own tables and ports: wired the same way by the service
(app.py), the CSV command, the tests and the bench."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from services.telephony.application.context import Telephony
from services.telephony.application.ports import DetailMailer, SipSwitch, UsageSink
from services.telephony.domain.rating import RatingPlans
from shared.clock import Clock
from shared.eventstore import EventStore

__all__ = ["load_plans", "wire_telephony"]


def load_plans(path: Path) -> RatingPlans:
    """The rating plans file, or the process stops naming the setting."""
    try:
        return RatingPlans.load(path)
    except (OSError, ValueError) as error:
        raise SystemExit(f"RATING_PLANS: cannot load {path}: {error}") from None


def wire_telephony(store: EventStore, clock: Clock, tz: ZoneInfo, plans: RatingPlans, usage: UsageSink,
                   switch: SipSwitch, posting_batch_size: int = 100,
                   mailer: DetailMailer | None = None) -> Telephony:
    return Telephony(store, clock, tz, plans, usage, switch, posting_batch_size, mailer)
