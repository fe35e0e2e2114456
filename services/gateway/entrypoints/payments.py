"""The cabinet's payment pages: top-ups, promised payments, autopay, payment guarantees, reversals.

Every route checks `caller.may_see(account_id)` first (a foreign account answers 404). Queries
read the gateway's read models; commands go to the payments service's internal API with the
client's `Idempotency-Key` and wait (bounded) until the cabinet's projection shows their result.
Provider callbacks do not pass through here: they go to the payments service's public routes,
which verify the providers' signatures."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from litestar import Controller, delete, get, patch, post, put
from litestar.params import Parameter
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from services.gateway.auth import Caller
from services.gateway.entrypoints.cabinet import ACCOUNT_ID, IdempotencyKey, visible
from services.gateway.forwarding import forward_command
from services.gateway.payment_queries import autopay_settings, guarantee_history, promised_payment_history
from services.gateway.projections.cabinet_payments import CabinetPayments
from services.gateway.settings import GatewaySettings
from shared.clock import Clock
from shared.db import Pool
from shared.errors import Forbidden
from shared.internal_api import InternalClient
from shared.money import parse_amount

__all__ = ["CabinetPaymentsController"]

Amount = Annotated[Decimal, BeforeValidator(parse_amount)]
AccountId = Annotated[str, ACCOUNT_ID]
PAYMENT_ID = Parameter(pattern=r"^[A-Za-z0-9-]{1,64}$")
Limit = Annotated[int, Parameter(ge=1, le=100, default=20)]
Offset = Annotated[int, Parameter(ge=0, le=100_000, default=0)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TopUpRequest(_Body):
    amount: Amount = Field(description='decimal string, e.g. "150.00"')
    provider: Literal["robokassa", "webhook", "sandbox"]


class PromisedPaymentRequest(_Body):
    amount: Amount


class AutopayRequest(_Body):
    provider: Literal["webhook", "sandbox"]
    method_token: str = Field(min_length=8, max_length=256, description="the provider's saved-method token")
    cap: Amount | None = None


class AutopayCapRequest(_Body):
    cap: Amount | None


class GuaranteeRequest(_Body):
    amount: Amount
    pay_by: date = Field(description="no later than the 10th of next month")
    invoice_ref: str | None = Field(default=None, min_length=1, max_length=64)


class ReversalRequest(_Body):
    reason: str = Field(min_length=3, max_length=500)


def _previous_month_start(now: datetime, tz: ZoneInfo) -> datetime:
    today = now.astimezone(tz).date()
    first = date(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1, 1)
    return datetime.combine(first, time.min, tz)


class CabinetPaymentsController(Controller):
    path = "/api/v1/accounts/{account_id:str}"
    tags = ["payments"]

    async def _command(self, method: str, account_id: str, path: str, body: Any, caller: Caller, pool: Pool,
                       payments_api: InternalClient, settings: GatewaySettings, key: str | None) -> dict[str, Any]:
        return await forward_command(
            payments_api, pool, caller, method, f"/internal/v1/accounts/{account_id}{path}", body=body,
            idempotency_key=key, projection=CabinetPayments.name, timeout=settings.read_your_writes_timeout_s,
        )

    @post("/top-ups", status_code=201, summary="Start a top-up; answers the provider's page to send the user to")
    async def top_up(self, account_id: AccountId, data: TopUpRequest, caller: Caller, pool: Pool,
                     payments_api: InternalClient, gateway_settings: GatewaySettings,
                     idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        return await self._command("POST", account_id, "/top-ups", data.model_dump(mode="json"), caller, pool,
                                   payments_api, gateway_settings, idempotency_key)

    @get("/promised-payments/offer", summary="Whether a promised payment is available: amounts, or why not")
    async def offer(self, account_id: AccountId, caller: Caller, payments_api: InternalClient) -> dict[str, Any]:
        visible(caller, account_id)
        return await payments_api.call("GET", f"/internal/v1/accounts/{account_id}/promised-payments/offer")

    @post("/promised-payments", status_code=201, summary="Take a promised payment: credited at once, 3 days")
    async def take(self, account_id: AccountId, data: PromisedPaymentRequest, caller: Caller, pool: Pool,
                   payments_api: InternalClient, gateway_settings: GatewaySettings,
                   idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        return await self._command("POST", account_id, "/promised-payments", data.model_dump(mode="json"), caller,
                                   pool, payments_api, gateway_settings, idempotency_key)

    @get("/promised-payments", summary="Promised payments: the outstanding one and the history, newest first")
    async def promised(self, account_id: AccountId, caller: Caller, pool: Pool, limit: Limit,
                       offset: Offset) -> dict[str, Any]:
        visible(caller, account_id)
        return await promised_payment_history(pool, account_id, limit, offset)

    @get("/autopay", summary="Autopay settings and the last charge")
    async def autopay(self, account_id: AccountId, caller: Caller, pool: Pool) -> dict[str, Any]:
        visible(caller, account_id)
        return await autopay_settings(pool, account_id)

    @put("/autopay", status_code=200, summary="Enable autopay with a saved payment method (or replace it)")
    async def enable_autopay(self, account_id: AccountId, data: AutopayRequest, caller: Caller, pool: Pool,
                             payments_api: InternalClient, gateway_settings: GatewaySettings,
                             idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        return await self._command("PUT", account_id, "/autopay", data.model_dump(mode="json"), caller, pool,
                                   payments_api, gateway_settings, idempotency_key)

    @patch("/autopay", status_code=200, summary="Change the autopay cap (null: none)")
    async def change_autopay(self, account_id: AccountId, data: AutopayCapRequest, caller: Caller, pool: Pool,
                             payments_api: InternalClient, gateway_settings: GatewaySettings,
                             idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        return await self._command("PATCH", account_id, "/autopay", data.model_dump(mode="json"), caller, pool,
                                   payments_api, gateway_settings, idempotency_key)

    @delete("/autopay", status_code=200, summary="Disable autopay")
    async def disable_autopay(self, account_id: AccountId, caller: Caller, pool: Pool,
                              payments_api: InternalClient, gateway_settings: GatewaySettings,
                              idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        return await self._command("DELETE", account_id, "/autopay", None, caller, pool, payments_api,
                                   gateway_settings, idempotency_key)

    @get("/guarantees", summary="Payment guarantees of the current and the previous month")
    async def guarantees(self, account_id: AccountId, caller: Caller, pool: Pool, clock: Clock,
                         timezone: ZoneInfo) -> dict[str, Any]:
        visible(caller, account_id)
        return await guarantee_history(pool, account_id, _previous_month_start(clock.now(), timezone))

    @post("/guarantees", status_code=201, summary="Register a payment guarantee (organization admins)")
    async def guarantee(self, account_id: AccountId, data: GuaranteeRequest, caller: Caller, pool: Pool,
                        payments_api: InternalClient, gateway_settings: GatewaySettings,
                        idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        if caller.role not in ("org_admin", "operator"):
            raise Forbidden("guarantee.org_admin_only", "payment guarantees are registered by the organization's admin")
        return await self._command("POST", account_id, "/guarantees", data.model_dump(mode="json"), caller, pool,
                                   payments_api, gateway_settings, idempotency_key)

    @post("/payments/{payment_id:str}/reversal", status_code=201, summary="Reverse a payment (operators)")
    async def reverse(self, account_id: AccountId, payment_id: Annotated[str, PAYMENT_ID], data: ReversalRequest,
                      caller: Caller, pool: Pool, payments_api: InternalClient, gateway_settings: GatewaySettings,
                      idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        if caller.role != "operator":
            raise Forbidden("payment.reversal_operator_only", "only operators reverse payments")
        return await self._command("POST", account_id, f"/payments/{payment_id}/reversal",
                                   data.model_dump(mode="json"), caller, pool, payments_api, gateway_settings,
                                   idempotency_key)
