"""A personal account as the payments service sees it: its payments and its funds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.payments.domain.events import PaymentMethod, PaymentRegistered
from shared.aggregate import Aggregate
from shared.events import DomainEvent

__all__ = ["PaymentAccount", "PaymentRequest", "stream_id_for"]


def stream_id_for(account_id: str) -> str:
    return f"payment-account-{account_id}"


@dataclass(frozen=True)
class PaymentRequest:
    account_id: str
    amount: Decimal
    method: PaymentMethod
    external_id: str
    paid_at: datetime


class PaymentAccount(Aggregate):
    stream_type = "PaymentAccount"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.paid_total = Decimal("0.00")
        self.payments: dict[str, Decimal] = {}

    def apply(self, event: DomainEvent) -> None:
        match event:
            case PaymentRegistered():
                self.paid_total += event.amount
                self.payments[event.payment_id] = event.amount

    def register_payment(self, request: PaymentRequest, payment_id: str, actor: str) -> list[DomainEvent]:
        return [
            PaymentRegistered(
                account_id=request.account_id,
                payment_id=payment_id,
                amount=request.amount,
                method=request.method,
                external_id=request.external_id,
                paid_at=request.paid_at,
                registered_by=actor,
            )
        ]
