"""What every payment provider adapter shares: signatures and the parsing of callbacks' fields (the
values they exchange with the use cases are in services/payments/domain/providers.py, the ports
they implement in services/payments/application/ports.py)."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal, InvalidOperation

from services.payments.domain.providers import CallbackRefused

__all__ = [
    "callback_amount",
    "hmac_sha256",
    "invoice_number",
    "same_signature",
]


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
