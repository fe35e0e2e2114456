"""The payments service's events: public API on `billing.payments.events`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from shared.events import DomainEvent, registry

__all__ = ["PaymentMethod", "PaymentRegistered"]

PaymentMethod = Literal["cash", "bank_transfer", "card", "robokassa", "uniteller", "webhook", "sandbox", "autopay"]


@registry.register
class PaymentRegistered(DomainEvent, type="PaymentRegistered", version=1):
    """Money reached the account: once per external (provider or bank) payment id."""

    account_id: str
    payment_id: str
    amount: Decimal
    method: PaymentMethod
    external_id: str
    paid_at: datetime
    registered_by: str
