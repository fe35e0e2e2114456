"""The regular invoice's rules: which periods the cabinet may ask about, the invoicing window on
days 1-3 (seeds 003/004, ../shared/INVOICING.md I-3: the service is not offered while invoices
are generated, days 1 to 3 of each month), the series and number, the due date. Pure: the business
date comes in."""

from __future__ import annotations

import re
from datetime import date

from shared.calendar import add_months, month_start, tenth_of_next_month
from shared.errors import DomainError, ValidationFailed

__all__ = ["WINDOW_LAST_DAY", "chargeable_periods", "due_on", "ensure_orders_open", "invoice_id_for",
           "invoice_number", "orderable_periods", "parse_period", "series_for"]

#: Invoices are generated from the 1st to the 3rd: the cabinet's invoice orders wait until the 4th.
WINDOW_LAST_DAY = 3
_PERIOD = re.compile(r"[1-9][0-9]{3}-(0[1-9]|1[0-2])", re.ASCII)


def parse_period(text: str) -> date:
    """`YYYY-MM` to the period's first day; anything else is `period.invalid`."""
    if not _PERIOD.fullmatch(text):
        raise ValidationFailed("period.invalid", f"period {text[:20]!r} is not a month like 2021-05")
    return date(int(text[:4]), int(text[5:7]), 1)


def chargeable_periods(today: date) -> list[date]:
    """The charges the cabinet shows: the current month and the two before it (seeds 003, 004)."""
    current = month_start(today)
    return [current, add_months(current, -1), add_months(current, -2)]


def orderable_periods(today: date) -> list[date]:
    """Invoices the cabinet may order: the two previous months («за 2 предыдущих месяца»)."""
    current = month_start(today)
    return [add_months(current, -1), add_months(current, -2)]


def ensure_orders_open(today: date) -> None:
    if today.day <= WINDOW_LAST_DAY:
        raise DomainError("invoice.window_closed",
                          "invoices are being generated (days 1-3 of the month); order again from the 4th",
                          opens_on=today.replace(day=WINDOW_LAST_DAY + 1).isoformat())


def series_for(prefix: str, period: date) -> str:
    """One series per prefix and year of the period: numbers start again at 1 each year."""
    return f"{prefix}-{period.year}"


def invoice_number(series: str, number: int) -> str:
    return f"{series}-{number:06d}"


def invoice_id_for(account_id: str, period: date) -> str:
    return f"inv-{account_id}-{period:%Y-%m}"


def due_on(period: date) -> date:
    """Pay by the 10th of the month after the period («до 10 числа следующего месяца», seed 004)."""
    return tenth_of_next_month(period)
