"""Autopay (seed 002): 3 days before a billing period starts, top up what the next period needs
(its fees as invoicing forecasts them, minus the available funds of shared/funds.py, if positive),
up to an optional cap; never twice a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.payments.domain.events import Provider
from shared.calendar import Period, next_period
from shared.errors import DomainError
from shared.money import round_money

__all__ = ["LEAD_DAYS", "Autopay", "AutopayRefused", "amount_needed", "charge_due", "mask_method"]

LEAD_DAYS = 3
ZERO = Decimal("0.00")


class AutopayRefused(DomainError):
    pass


@dataclass
class Autopay:
    provider: Provider
    method_masked: str
    cap: Decimal | None


def mask_method(token: str) -> str:
    """A reference the subscriber recognises (`****4242`) and that reveals nothing usable."""
    tail = "".join(c for c in token if c.isalnum())[-4:]
    return f"****{tail}" if len(tail) == 4 else "****"


def amount_needed(next_period_fee: Decimal, available_funds: Decimal, cap: Decimal | None) -> Decimal:
    """Fees of the next period minus the available funds, if positive, never above the cap."""
    needed = round_money(next_period_fee - available_funds)
    if needed <= 0:
        return ZERO
    return min(needed, cap) if cap is not None else needed


def charge_due(now: datetime, tz: ZoneInfo) -> tuple[Period, datetime]:
    """The period autopay prepares next and when to charge for it: 3 days before it starts, or at
    once when autopay is switched on inside those 3 days."""
    period = next_period(now, tz)
    return period, max(now, period.starts_in(LEAD_DAYS))
