"""Billing calendar: months and periods are the operator's local ones (billing time zone).

A billing period is a calendar month, named `YYYY-MM`, starting at local midnight on the 1st."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["Period", "add_months", "local_date", "month_start", "next_period", "tenth_of_next_month"]


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day when it has fewer."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def tenth_of_next_month(day: date) -> date:
    return add_months(month_start(day), 1).replace(day=10)


@dataclass(frozen=True)
class Period:
    first_day: date
    tz: ZoneInfo

    @property
    def name(self) -> str:
        return f"{self.first_day:%Y-%m}"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day, time.min, self.tz)

    def starts_in(self, days: int) -> datetime:
        """The instant `days` before the period starts (autopay charges 3 days ahead)."""
        return datetime.combine(self.first_day - timedelta(days=days), time.min, self.tz)

    def following(self) -> Period:
        return Period(add_months(self.first_day, 1), self.tz)


def next_period(now: datetime, tz: ZoneInfo) -> Period:
    """The first period that starts after `now`."""
    return Period(add_months(month_start(local_date(now, tz)), 1), tz)
