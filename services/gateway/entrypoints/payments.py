"""The cabinet's payment pages: top-ups, promised payments, autopay, payment guarantees, reversals.

Every route takes `account`, the path's account once the caller may see it (a foreign account
answers 404). Queries read the gateway's read models; commands go to the payments service's
internal API with the client's `Idempotency-Key` and wait (bounded) until the cabinet's projection
shows their result.
Provider callbacks do not pass through here: they go to the payments service's public routes,
which verify the providers' signatures."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from litestar import Response, delete, get, patch, post, put
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import AccountController, Commands, only
from services.gateway.projections.cabinet_payments_queries import (
    autopay_settings,
    guarantee_history,
    promised_payment_history,
)
from shared.calendar import previous_month_start
from shared.clock import Clock
from shared.db import Pool
from shared.errors import DomainError
from shared.http import Amount, Day, IdempotencyKey, replayable_response
from shared.internal_api import InternalClient, Reply
from shared.logging import get_logger
from shared.openapi import answers

__all__ = ["CabinetPaymentsController", "settle_status"]

log = get_logger(__name__)

PaymentId = Annotated[str, Parameter(pattern=r"^[A-Za-z0-9-]{1,64}$")]
Limit = Annotated[int, Parameter(ge=1, le=100, default=20)]
Offset = Annotated[int, Parameter(ge=0, le=100_000, default=0)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TopUpRequest(_Body):
    amount: Amount = Field(description='decimal string, e.g. "150.00"')
    provider: Literal["robokassa", "uniteller", "webhook", "sandbox"]


class PromisedPaymentRequest(_Body):
    amount: Amount


class AutopayRequest(_Body):
    provider: Literal["webhook", "sandbox"]
    method_token: str = Field(min_length=8, max_length=256, pattern=r"^[\x21-\x7e]+$",
                              description="the provider's saved-method token (printable ASCII)")
    cap: Amount | None = None


class AutopayCapRequest(_Body):
    cap: Amount | None


class GuaranteeRequest(_Body):
    amount: Amount
    pay_by: Day = Field(description="no later than the 10th of next month")
    invoice_ref: str | None = Field(default=None, min_length=1, max_length=64)


class ReversalRequest(_Body):
    reason: str = Field(min_length=3, max_length=500)


class CabinetPaymentsController(AccountController):
    tags = ["payments"]

    @post("/top-ups", status_code=201, summary="Start a top-up; answers the provider's page to send the user to",
          responses=answers(201, a.TopUpStarted))
    async def top_up(self, account: str, data: TopUpRequest, payments_commands: Commands,
                     idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await payments_commands.send("POST", f"/internal/v1/accounts/{account}/top-ups",
                                            data.model_dump(mode="json"), idempotency_key)

    @get("/promised-payments/offer", summary="Whether a promised payment is available: amounts, or why not",
         responses=answers(200, a.PromisedOffer))
    async def offer(self, account: str, payments_api: InternalClient) -> dict[str, Any]:
        return await payments_api.call("GET", f"/internal/v1/accounts/{account}/promised-payments/offer")

    @post("/promised-payments", status_code=201, summary="Take a promised payment: credited at once, 3 days",
          responses=answers(201, a.PromisedPaymentTaken))
    async def take(self, account: str, data: PromisedPaymentRequest, payments_commands: Commands,
                   accounts_commands: Commands, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        reply = await payments_commands.reply("POST", f"/internal/v1/accounts/{account}/promised-payments",
                                              data.model_dump(mode="json"), idempotency_key)
        return await _with_status_settled(reply, account, payments_commands, accounts_commands)

    @get("/promised-payments", summary="Promised payments: the outstanding one and the history, newest first",
         responses=answers(200, a.PromisedPayments))
    async def promised(self, account: str, pool: Pool, limit: Limit, offset: Offset) -> dict[str, Any]:
        return await promised_payment_history(pool, account, limit, offset)

    @get("/autopay", summary="Autopay settings and the last charge", responses=answers(200, a.Autopay))
    async def autopay(self, account: str, pool: Pool) -> dict[str, Any]:
        return await autopay_settings(pool, account)

    @put("/autopay", status_code=200, summary="Enable autopay with a saved payment method (or replace it)",
         responses=answers(200, a.AutopayChanged))
    async def enable_autopay(self, account: str, data: AutopayRequest, payments_commands: Commands,
                             idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await payments_commands.send("PUT", f"/internal/v1/accounts/{account}/autopay",
                                            data.model_dump(mode="json"), idempotency_key)

    @patch("/autopay", status_code=200, summary="Change the autopay cap (null: none)",
           responses=answers(200, a.AutopayChanged))
    async def change_autopay(self, account: str, data: AutopayCapRequest, payments_commands: Commands,
                             idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await payments_commands.send("PATCH", f"/internal/v1/accounts/{account}/autopay",
                                            data.model_dump(mode="json"), idempotency_key)

    @delete("/autopay", status_code=200, summary="Disable autopay", responses=answers(200, a.AutopayChanged))
    async def disable_autopay(self, account: str, payments_commands: Commands,
                              idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await payments_commands.send("DELETE", f"/internal/v1/accounts/{account}/autopay",
                                            key=idempotency_key)

    @get("/guarantees", summary="Payment guarantees of the current and the previous month",
         responses=answers(200, a.Guarantees))
    async def guarantees(self, account: str, pool: Pool, clock: Clock, timezone: ZoneInfo) -> dict[str, Any]:
        return await guarantee_history(pool, account, previous_month_start(clock.now(), timezone))

    @post("/guarantees", status_code=201, summary="Register a payment guarantee (organization admins)",
          responses=answers(201, a.GuaranteeRegistered),
          opt=only(("org_admin", "operator"), "guarantee.org_admin_only",
                   "payment guarantees are registered by the organization's admin"))
    async def guarantee(self, account: str, data: GuaranteeRequest, payments_commands: Commands,
                        idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await payments_commands.send("POST", f"/internal/v1/accounts/{account}/guarantees",
                                            data.model_dump(mode="json"), idempotency_key)

    @post("/payments/{payment_id:str}/reversal", status_code=201, summary="Reverse a payment (operators)",
          responses=answers(201, a.Reversed),
          opt=only(("operator",), "payment.reversal_operator_only", "only operators reverse payments"))
    async def reverse(self, account: str, payment_id: PaymentId, data: ReversalRequest, payments_commands: Commands,
                      accounts_commands: Commands, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        reply = await payments_commands.reply(
            "POST", f"/internal/v1/accounts/{account}/payments/{payment_id}/reversal", data.model_dump(mode="json"),
            idempotency_key)
        return await _with_status_settled(reply, account, payments_commands, accounts_commands)


async def _with_status_settled(reply: Reply, account: str, payments_commands: Commands,
                               accounts_commands: Commands) -> Response[dict[str, Any]]:
    await settle_status(reply, account, accounts_commands)
    return replayable_response(reply.body, payments_commands.status, replayed=reply.replayed)


async def settle_status(reply: Reply, account: str, accounts_commands: Commands) -> None:
    """Read-your-writes for the status a change of funds implies (issue 10, item 9): the account's
    financial block is the accounts service's decision on the funds, reached through Kafka and a
    timer a moment after the payments command. The gateway asks accounts to decide now on the
    funds that include this command's events (POST .../funds-check, waiting, bounded, until
    accounts counted them), then waits, bounded, until its read model shows that decision; so the
    next summary shows the status and the funds figure together. The summary never computes a
    status itself: it shows what the owner decided. `status_current` says whether both waits
    succeeded in time (false: the next summary may still show the status before; the command
    itself is done either way)."""
    stream_id, version = reply.body.get("stream_id"), reply.body.get("stream_version")
    if isinstance(stream_id, str) and isinstance(version, int) and version > 0:
        try:
            check = await accounts_commands.reply(
                "POST", f"/internal/v1/accounts/{account}/funds-check",
                {"stream_id": stream_id, "stream_version": version, "wait_s": accounts_commands.timeout})
            reply.body["status_current"] = bool(check.body.get("funds_seen") and check.body.get("read_model_current"))
        except DomainError as error:  # the command is done; only the status may show late
            log.warning("status.not_settled", account_id=account, code=error.code)
            reply.body["status_current"] = False
