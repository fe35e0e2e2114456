"""When a message goes out: quiet hours, retry backoff, and the reminders' instants. Pure: no I/O.
The billing calendar itself (where the next period starts) is shared/calendar.py.

Quiet hours (default 21:00-09:00 in the subscriber's time) hold back non-urgent SMS until they
end; e-mail is never held (it does not wake anyone), nor are urgent messages such as login codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.notifications.domain.events import Channel

__all__ = ["QuietHours", "RetryPolicy", "period_end_reminder_at", "promised_payment_reminder_at"]


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(9, 0)

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release(self, at: datetime, tz: ZoneInfo) -> datetime:
        """`at` itself outside quiet hours, else the moment they end (in UTC if `at` was)."""
        local = at.astimezone(tz)
        if not self.contains(local.time().replace(tzinfo=None)):
            return at
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, tz).astimezone(at.tzinfo)

    def send_after(self, at: datetime, channel: Channel, urgent: bool, tz: ZoneInfo) -> datetime:
        if urgent or channel != "sms":
            return at
        return self.release(at, tz)


@dataclass(frozen=True)
class RetryPolicy:
    """Tries per message and the pause after each failed one: base, doubling, capped."""

    max_attempts: int = 5
    base_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=1)

    def delay_after(self, attempt: int) -> timedelta:
        return min(self.max_delay, self.base_delay * (1 << min(max(0, attempt - 1), 30)))

    def is_last(self, attempt: int) -> bool:
        return attempt >= self.max_attempts


def period_end_reminder_at(period_start: date, days_before: int, tz: ZoneInfo, at: time = time(12, 0)) -> datetime:
    """When to remind about the period starting `period_start`: `days_before` days before it,
    at midday in the subscribers' time (never in quiet hours)."""
    return datetime.combine(period_start - timedelta(days=days_before), at, tz)


def promised_payment_reminder_at(due_at: datetime) -> datetime:
    """The day before a promised payment is due."""
    return due_at - timedelta(days=1)
