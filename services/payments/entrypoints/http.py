"""The payments service's internal API (called by the gateway and by operators' tools)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.payments.application.register_payment import register_payment
from services.payments.domain.account import PaymentRequest
from services.payments.domain.events import PaymentMethod
from services.payments.entrypoints.common import command_response
from shared.clock import Clock, utc
from shared.eventstore import EventStore, Metadata
from shared.logging import correlation_id, new_correlation_id
from shared.money import parse_amount

__all__ = ["PaymentsController", "RegisterPayment"]

ACCOUNT_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


class RegisterPayment(BaseModel):
    """An operator registers money received outside the online providers."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=ACCOUNT_ID)
    amount: Decimal = Field(description='Decimal string with at most 2 decimals, e.g. "150.00"')
    method: PaymentMethod
    external_id: str = Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
    paid_at: datetime

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal:
        return parse_amount(value)

    @field_validator("paid_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return utc(value)


class PaymentsController(Controller):
    path = "/internal/v1/payments"

    @post("/", status_code=201, summary="Register a payment once per external id")
    async def register(
        self,
        request: Request[Any, Any, Any],
        data: RegisterPayment,
        store: EventStore,
        clock: Clock,
        actor: Annotated[str, Parameter(header="x-actor", default="operator")],
    ) -> Response[dict[str, Any]]:
        metadata = Metadata(correlation_id=correlation_id() or new_correlation_id(), actor=actor[:128])
        result = await register_payment(
            store,
            clock,
            PaymentRequest(data.account_id, data.amount, data.method, data.external_id, data.paid_at),
            metadata,
        )
        return command_response(result)
