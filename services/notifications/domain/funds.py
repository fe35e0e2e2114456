"""Will an account's funds cover the next period? The end-of-period reminder's rule. Pure.

Available funds are counted as docs/events.md "Money seen the same way everywhere" says; the next
period's fees are shared/fees.py's: the monthly fees (gross) of the account's service lines at the
tariff in force when the period starts, plus its add-ons connected by then and still connected."""

from __future__ import annotations

from decimal import Decimal

from shared.money import round_money

__all__ = ["shortfall"]  # the fee rule itself is shared/fees.py


def shortfall(available: Decimal, fees: Decimal) -> Decimal | None:
    """What is missing to cover `fees`, or None when the funds cover them (or nothing is due)."""
    missing = round_money(fees - available)
    return missing if fees > 0 and missing > 0 else None
