"""Promised payment (обещанный платёж) rules, seeds 000 and 002: credited at once, term 3 days,
refused while one is outstanding, for accounts younger than 2 months, above the cap, on closed
accounts. The cap is configurable; by default it is the account's monthly fee: this period's fees
as invoicing forecasts them (FeesForecast).

"Younger than 2 months": an account may take one from the later of the same day two calendar
months after opening and 60 days after opening. January plus February is only 59 days, and a
59-day-old account is always refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.payments.domain.facts import AccountFacts
from shared.calendar import add_months, local_date
from shared.errors import DomainError
from shared.money import round_money

__all__ = [
    "MIN_AGE_DAYS",
    "MIN_AGE_MONTHS",
    "TERM",
    "Offer",
    "PromisedPayment",
    "PromisedPaymentRefused",
    "check_amount",
    "due_at",
    "eligible_from",
    "make_offer",
]

TERM = timedelta(days=3)
MIN_AGE_MONTHS = 2
MIN_AGE_DAYS = 60
ZERO = Decimal("0.00")

REASONS = {
    "promised_payment.account_closed": "the account is closed",
    "promised_payment.already_outstanding": "the previous promised payment is not repaid yet",
    "promised_payment.account_too_young": "promised payments are available 2 months after the account was opened",
    "promised_payment.no_monthly_fee": "the account has no monthly fee to promise",
}


class PromisedPaymentRefused(DomainError):
    def __init__(self, code: str, detail: str | None = None, **extra: object) -> None:
        super().__init__(code, detail or REASONS[code], **extra)


@dataclass
class PromisedPayment:
    """One promised payment as the account's aggregate keeps it (also its history entry)."""

    promised_payment_id: str
    amount: Decimal
    taken_at: datetime
    due_at: datetime
    repaid: Decimal = ZERO
    withdrawn: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.repaid - self.withdrawn

    @property
    def status(self) -> str:
        if self.withdrawn > 0:
            return "expired"
        return "outstanding" if self.outstanding > 0 else "repaid"


@dataclass(frozen=True)
class Offer:
    available: bool
    reason: str | None
    detail: str | None
    recommended_amount: Decimal
    max_amount: Decimal
    available_from: datetime | None = None

    def refuse(self) -> None:
        """Raise the refusal behind an unavailable offer."""
        if not self.available:
            extra = {"available_from": self.available_from.isoformat()} if self.available_from else {}
            raise PromisedPaymentRefused(self.reason or "promised_payment.unavailable", self.detail, **extra)


def eligible_from(opened_at: datetime, tz: ZoneInfo) -> datetime:
    local = opened_at.astimezone(tz)
    by_months = datetime.combine(add_months(local_date(opened_at, tz), MIN_AGE_MONTHS), local.timetz())
    by_days = opened_at + timedelta(days=MIN_AGE_DAYS)
    return max(by_months, by_days)


def make_offer(
    facts: AccountFacts,
    outstanding: PromisedPayment | None,
    available_funds: Decimal,
    now: datetime,
    tz: ZoneInfo,
    cap: Decimal | None,
) -> Offer:
    """What the cabinet offers: the maximum (the cap), a recommended amount (the monthly fee, or
    what brings the funds back to zero if that is more, never above the maximum), or the reason."""
    maximum = round_money(cap if cap is not None else facts.monthly_fee)
    needed = -available_funds if available_funds < 0 else ZERO
    recommended = min(maximum, max(facts.monthly_fee, needed))

    def no(code: str, available_from: datetime | None = None) -> Offer:
        return Offer(False, code, REASONS[code], recommended, maximum, available_from)

    if facts.closed:
        return no("promised_payment.account_closed")
    if outstanding is not None:
        return no("promised_payment.already_outstanding")
    start = eligible_from(facts.opened_at, tz)
    if now < start:
        return no("promised_payment.account_too_young", start)
    if maximum <= 0:
        return no("promised_payment.no_monthly_fee")
    return Offer(True, None, None, recommended, maximum)


def check_amount(offer: Offer, amount: Decimal) -> None:
    offer.refuse()
    if amount > offer.max_amount:
        raise PromisedPaymentRefused(
            "promised_payment.above_cap",
            f"the promised payment may be at most {offer.max_amount}",
            max_amount=str(offer.max_amount),
        )


def due_at(taken_at: datetime) -> datetime:
    return taken_at + TERM
