"""Will an account's funds cover the next period? The end-of-period reminder's rule. Pure.

Available funds are counted as docs/events.md "Money seen the same way everywhere" says; the next
period's fees are the monthly fees (gross) of the account's service lines at the tariff in force
when the period starts, plus its add-ons still connected then."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.money import round_money

__all__ = ["FeeItem", "period_fees", "shortfall"]


@dataclass(frozen=True)
class FeeItem:
    """A service line's tariff or an add-on: what it costs a month, and from when that changes."""

    monthly_fee: Decimal
    next_fee: Decimal | None = None
    next_fee_from: date | None = None
    ends_on: date | None = None

    def fee_for(self, period_start: date) -> Decimal:
        if self.ends_on is not None and self.ends_on <= period_start:
            return Decimal("0.00")
        if self.next_fee is not None and self.next_fee_from is not None and self.next_fee_from <= period_start:
            return self.next_fee
        return self.monthly_fee


def period_fees(items: Iterable[FeeItem], period_start: date) -> Decimal:
    return round_money(sum((item.fee_for(period_start) for item in items), Decimal("0.00")))


def shortfall(available: Decimal, fees: Decimal) -> Decimal | None:
    """What is missing to cover `fees`, or None when the funds cover them (or nothing is due)."""
    missing = round_money(fees - available)
    return missing if fees > 0 and missing > 0 else None
