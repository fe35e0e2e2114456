"""What every payment provider adapter shares: the top-up it is asked to collect, the verified
payment its callback reports, the refusal of a callback, and the result of charging a saved method."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from shared.errors import DomainError

__all__ = [
    "CallbackRefused",
    "ChargeResult",
    "CheckoutProvider",
    "MethodCharger",
    "ProviderPayment",
    "TopUp",
    "callback_amount",
    "hmac_sha256",
    "invoice_number",
    "same_signature",
]


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


class CheckoutProvider(Protocol):
    name: str

    def checkout_url(self, top_up: TopUp) -> str:
        """Where the cabinet sends the subscriber to pay `top_up`."""
        ...


class MethodCharger(Protocol):
    name: str

    async def charge(self, token: str, amount: Decimal, idempotency_key: str) -> ChargeResult:
        """Charge a saved payment method; the same key never charges twice (providers dedupe)."""
        ...


def hmac_sha256(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def same_signature(expected: str, given: str) -> bool:
    """Constant-time comparison of hex signatures, case-insensitive."""
    return hmac.compare_digest(expected.lower().encode(), given.strip().lower().encode())


def callback_amount(value: str) -> Decimal:
    """A provider's amount string ("150.000000" from Robokassa) as money, or a refusal."""
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise CallbackRefused("top_up.malformed_callback", "the amount is not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise CallbackRefused("top_up.malformed_callback", "the amount must be a positive number")
    return amount


def invoice_number(value: str) -> int:
    if not value.strip().isdigit() or len(value.strip()) > 18:
        raise CallbackRefused("top_up.malformed_callback", "the invoice id is not a number")
    return int(value)
