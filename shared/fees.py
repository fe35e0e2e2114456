"""The monthly-fee schedule, the one rule every service uses until invoicing publishes charges.

An account's fees for a period are the monthly fees (gross) of its service lines at the tariff in
force when the period starts, plus its add-ons connected by then and not yet removed. Item ids:
`line:<line_id>` and `add-on:<line_id>:<service_id>`. Amounts are rounded once, to the kopeck
(shared/money.py). Pure: no I/O; each service keeps the items in its own projection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.money import round_money

__all__ = ["FeeItem", "add_on_item", "line_item", "period_fees"]


def line_item(line_id: str) -> str:
    return f"line:{line_id}"


def add_on_item(line_id: str, service_id: str) -> str:
    return f"add-on:{line_id}:{service_id}"


@dataclass(frozen=True)
class FeeItem:
    """A service line's tariff or an add-on: what it costs a month, from when, until when, and a
    change waiting for its date (a tariff change for the next period)."""

    monthly_fee: Decimal
    next_fee: Decimal | None = None
    next_fee_from: date | None = None
    ends_on: date | None = None
    starts_on: date | None = None

    def fee_for(self, period_start: date) -> Decimal:
        if self.starts_on is not None and self.starts_on > period_start:
            return Decimal("0.00")
        if self.ends_on is not None and self.ends_on <= period_start:
            return Decimal("0.00")
        if self.next_fee is not None and self.next_fee_from is not None and self.next_fee_from <= period_start:
            return self.next_fee
        return self.monthly_fee


def period_fees(items: Iterable[FeeItem], period_start: date) -> Decimal:
    """The fees of the period starting `period_start`, rounded once."""
    return round_money(sum((item.fee_for(period_start) for item in items), Decimal("0.00")))
