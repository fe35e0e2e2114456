"""The billing calendar, the one every service uses: days, months and periods are the operator's
local ones (the billing time zone, `BILLING_TIMEZONE`).

A billing period is a calendar month, named `YYYY-MM`, starting at local midnight on the 1st.
Pure functions: time comes in as an argument (from a `Clock`), never from the system.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "Period",
    "add_months",
    "day_bounds",
    "days_in_month",
    "first_of_next_month",
    "is_day_off",
    "local_date",
    "month_start",
    "next_period",
    "previous_month_start",
    "start_of_day",
    "tenth_of_next_month",
    "twelve_months_before",
]


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar day of `instant` in the operator's time zone."""
    return instant.astimezone(tz).date()


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz)


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the 31st becomes the month's last day when it has fewer."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_start(day: date) -> date:
    return day.replace(day=1)


def first_of_next_month(day: date) -> date:
    """The first day of the month after `day`'s: where the next billing period starts."""
    return add_months(month_start(day), 1)


def tenth_of_next_month(day: date) -> date:
    return first_of_next_month(day).replace(day=10)


def twelve_months_before(day: date) -> date:
    """The same day a year earlier (29 February: the 28th)."""
    return add_months(day, -12)


def previous_month_start(instant: datetime, tz: ZoneInfo) -> datetime:
    """Local midnight on the 1st of the month before `instant`'s."""
    return start_of_day(add_months(month_start(local_date(instant, tz)), -1), tz)


def day_bounds(date_from: date | None, date_to: date | None, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """Instants bounding whole local days: from `date_from`'s midnight up to (not including) the
    midnight after `date_to`; an open side stays None."""
    start = start_of_day(date_from, tz) if date_from else None
    end = start_of_day(date_to + timedelta(days=1), tz) if date_to else None
    return start, end


@dataclass(frozen=True)
class Period:
    first_day: date
    tz: ZoneInfo

    @property
    def name(self) -> str:
        return f"{self.first_day:%Y-%m}"

    @property
    def starts_at(self) -> datetime:
        return start_of_day(self.first_day, self.tz)

    def starts_in(self, days: int) -> datetime:
        """The instant `days` before the period starts (autopay charges 3 days ahead)."""
        return start_of_day(self.first_day - timedelta(days=days), self.tz)

    def following(self) -> Period:
        return Period(add_months(self.first_day, 1), self.tz)


def next_period(now: datetime, tz: ZoneInfo) -> Period:
    """The first period that starts after `now`."""
    return Period(first_of_next_month(local_date(now, tz)), tz)


#: Public holidays on fixed dates (month, day): the operator's calendar (Belarus). Moving holidays
#: (Radunitsa) and transferred working days come as `extra` from the caller's configuration.
FIXED_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, 1), (1, 2), (1, 7), (3, 8), (5, 1), (5, 9), (7, 3), (11, 7), (12, 25)}
)


def is_day_off(day: date, extra: frozenset[date] = frozenset()) -> bool:
    """A weekend or a public holiday (the fixed ones, plus `extra` dates)."""
    return day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS or day in extra
