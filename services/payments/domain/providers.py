"""What the payments rules know of a payment provider: the top-up it is asked to collect, the
verified payment its callback reports, the refusal of a callback, and the result of charging a
saved method. Plain values: the providers themselves are adapters (services/payments/adapters)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.errors import DomainError

__all__ = ["CallbackRefused", "ChargeResult", "ProviderPayment", "TopUp"]


@dataclass(frozen=True)
class TopUp:
    invoice_id: int
    account_id: str
    amount: Decimal
    provider: str


@dataclass(frozen=True)
class ProviderPayment:
    """A callback whose signature checked out: the provider says `payment_id` paid `amount`."""

    provider: str
    invoice_id: int
    payment_id: str
    amount: Decimal


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    charge_id: str | None = None
    reason: str | None = None
    #: What the provider charged (a repeated key answers the first charge, whatever is asked now).
    amount: Decimal | None = None


class CallbackRefused(DomainError):
    """A provider callback that registers nothing: malformed, badly signed, unknown or wrong."""

    status = 400

    def __init__(self, code: str, detail: str, status: int = 400) -> None:
        super().__init__(code, detail)
        self.status = status
