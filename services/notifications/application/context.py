"""What the use cases work with, wired once by the composition root (`app.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from services.notifications.application.ports import Attachments, MessageTemplates, Senders
from services.notifications.domain.timing import QuietHours, RetryPolicy
from shared.clock import Clock
from shared.db import Pool
from shared.eventstore import EventStore
from shared.service import ServiceRuntime

__all__ = ["Notifier"]


@dataclass
class Notifier:
    runtime: ServiceRuntime
    clock: Clock
    templates: MessageTemplates
    senders: Senders
    timezone: ZoneInfo
    quiet_hours: QuietHours
    retry: RetryPolicy
    secret_attempts: int
    secret_retry_pause: float
    reminder_days: int
    stale_after: timedelta
    #: the files mailed with a message (invoices' documents); None: such messages fail
    attachments: Attachments | None = None

    @property
    def store(self) -> EventStore:
        return self.runtime.store

    @property
    def pool(self) -> Pool:
        return self.runtime.pool
