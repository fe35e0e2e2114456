"""The payments service's internal API (called by the gateway and by operators' tools)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Response, post
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.payments.application.context import Payments
from services.payments.application.register_payment import register_operator_payment
from services.payments.domain.account import PaymentRequest
from services.payments.domain.events import PaymentMethod
from services.payments.entrypoints import answers as a
from shared.clock import utc
from shared.http import ID_PATTERN, Actor, Amount, command_metadata, command_response
from shared.openapi import answers

__all__ = ["PaymentsController", "RegisterPayment"]


class RegisterPayment(BaseModel):
    """An operator registers money received outside the online providers."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=ID_PATTERN)
    amount: Amount = Field(description='Decimal string with at most 2 decimals, e.g. "150.00"')
    method: PaymentMethod
    external_id: str = Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
    paid_at: datetime

    @field_validator("paid_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return utc(value)


class PaymentsController(Controller):
    path = "/internal/v1/payments"

    @post("/", status_code=201, summary="Register a payment once per external id", responses=answers(201, a.Payment),
          description="404 `account.not_found` for an account the payments service does not know (an "
                      "account opened moments ago may not have reached it yet: retry); a closed account's "
                      "payment is registered and answered with `account_closed: true`.")
    async def register(self, data: RegisterPayment, payments: Payments, actor: Actor) -> Response[dict[str, Any]]:
        request = PaymentRequest(data.account_id, data.amount, data.method, data.external_id, data.paid_at)
        result = await register_operator_payment(payments, request, command_metadata(actor))
        return command_response(result, status=201)
