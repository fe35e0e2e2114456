"""The payments service's internal API per account: top-ups, promised payments, autopay,
guarantees, reversals (called by the gateway with the caller as `x-actor`, and by operators' tools).

Every command answers `stream_id`, `stream_version` and `position` for read-your-writes, and
takes the client's `idempotency-key`: a repeat answers the first result with 200."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.payments.application.autopay import change_autopay_cap, disable_autopay, enable_autopay
from services.payments.application.context import Payments
from services.payments.application.guarantees import register_guarantee
from services.payments.application.promised_payments import promised_payment_offer, take_promised_payment
from services.payments.application.reverse_payment import reverse_payment
from services.payments.application.top_ups import start_top_up
from services.payments.domain.events import Provider
from services.payments.entrypoints import answers as a
from shared.http import AccountId, Actor, Amount, Day, IdempotencyKey, command_metadata, command_response
from shared.openapi import answers

__all__ = ["AccountPaymentsController"]

PAYMENT_ID = Annotated[str, Parameter(pattern=r"^[A-Za-z0-9-]{1,64}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartTopUp(_Body):
    amount: Amount
    provider: Provider


class TakePromisedPayment(_Body):
    amount: Amount


class EnableAutopay(_Body):
    provider: Provider
    #: The provider's token for a saved payment method; stored outside events, never shown again.
    method_token: str = Field(min_length=8, max_length=256, pattern=r"^[\x21-\x7e]+$")
    cap: Amount | None = None


class ChangeAutopay(_Body):
    cap: Amount | None


class RegisterGuarantee(_Body):
    amount: Amount
    pay_by: Day
    invoice_ref: str | None = Field(default=None, min_length=1, max_length=64)


class ReversePayment(_Body):
    reason: str = Field(min_length=3, max_length=500)


class AccountPaymentsController(Controller):
    path = "/internal/v1/accounts/{account_id:str}"

    @post("/top-ups", status_code=201, summary="Start a top-up with a provider; answers its redirect URL",
          responses=answers(201, a.TopUp))
    async def top_up(self, account_id: AccountId, data: StartTopUp, payments: Payments, actor: Actor,
                     key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await start_top_up(payments, account_id, data.amount, data.provider, command_metadata(actor), key)
        return command_response(result, status=201)

    @get("/promised-payments/offer", summary="Whether a promised payment is available, and how much",
         responses=answers(200, a.Offer))
    async def offer(self, account_id: AccountId, payments: Payments) -> dict[str, Any]:
        return await promised_payment_offer(payments, account_id)

    @post("/promised-payments", status_code=201, summary="Take a promised payment (credited at once, 3 days)",
          responses=answers(201, a.PromisedPayment))
    async def take(self, account_id: AccountId, data: TakePromisedPayment, payments: Payments, actor: Actor,
                   key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await take_promised_payment(payments, account_id, data.amount, command_metadata(actor), key)
        return command_response(result, status=201)

    @put("/autopay", status_code=200, summary="Enable autopay with a saved payment method, or replace it",
         responses=answers(200, a.Autopay))
    async def enable(self, account_id: AccountId, data: EnableAutopay, payments: Payments, actor: Actor,
                     key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await enable_autopay(payments, account_id, data.provider, data.method_token, data.cap,
                                      command_metadata(actor), key)
        return command_response(result)

    @patch("/autopay", status_code=200, summary="Change the autopay cap (null: no cap)",
           responses=answers(200, a.Autopay))
    async def change(self, account_id: AccountId, data: ChangeAutopay, payments: Payments, actor: Actor,
                     key: IdempotencyKey) -> Response[dict[str, Any]]:
        return command_response(await change_autopay_cap(payments, account_id, data.cap, command_metadata(actor), key))

    @delete("/autopay", status_code=200, summary="Disable autopay and forget the saved method",
            responses=answers(200, a.Autopay))
    async def disable(self, account_id: AccountId, payments: Payments, actor: Actor,
                      key: IdempotencyKey) -> Response[dict[str, Any]]:
        return command_response(await disable_autopay(payments, account_id, command_metadata(actor), key))

    @post("/guarantees", status_code=201, summary="Register a payment guarantee (organizations)",
          responses=answers(201, a.Guarantee))
    async def guarantee(self, account_id: AccountId, data: RegisterGuarantee, payments: Payments, actor: Actor,
                        key: IdempotencyKey) -> Response[dict[str, Any]]:
        return command_response(await register_guarantee(
            payments, account_id, data.amount, data.pay_by, data.invoice_ref, command_metadata(actor), key
        ), status=201)

    @post("/payments/{payment_id:str}/reversal", status_code=201, summary="Reverse a payment (operators)",
          responses=answers(201, a.Reversal))
    async def reverse(self, account_id: AccountId, payment_id: PAYMENT_ID, data: ReversePayment,
                      payments: Payments, actor: Actor, key: IdempotencyKey) -> Response[dict[str, Any]]:
        return command_response(await reverse_payment(
            payments, account_id, payment_id, data.reason, command_metadata(actor), key
        ), status=201)
