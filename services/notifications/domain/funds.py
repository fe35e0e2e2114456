"""Will an account's funds cover the next period? The end-of-period reminder's rule. Pure.

Available funds are shared/funds.py's (docs/events.md "Money seen the same way everywhere"); the
next period's fees are what invoicing forecasts for it (FeesForecast): its fee schedule is the only
one."""

from __future__ import annotations

from decimal import Decimal

from shared.money import round_money

__all__ = ["shortfall"]


def shortfall(available: Decimal, fees: Decimal) -> Decimal | None:
    """What is missing to cover `fees`, or None when the funds cover them (or nothing is due)."""
    missing = round_money(fees - available)
    return missing if fees > 0 and missing > 0 else None
