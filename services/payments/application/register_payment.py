"""Use case: register a payment (operator: cash, bank statement; provider callbacks; autopay).

A payment also repays an outstanding promised payment (the aggregate decides both together);
once it is fully repaid, its expiry timer is cancelled.

An operator's payment (`register_operator_payment`) is taken only for an account the payments
service knows (404 `account.not_found`, after a short wait for one opened a moment ago). A closed
account still takes it: money an operator received for a closed contract (a debt paid after the
closing, a bank transfer that arrives late) is on the books, and an excess is paid back by the
operator; the answer says `account_closed: true` and the log has `payment.account_closed`."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from services.payments.application.context import Payments, required_facts
from services.payments.domain.account import PaymentAccount, PaymentRequest, stream_id_for
from services.payments.domain.events import PromisedPaymentRepaid
from shared.clock import Clock
from shared.commands import CommandResult, execute, scoped_key
from shared.db import Connection
from shared.errors import Conflict
from shared.eventstore import EventStore, IdempotencyKeyReused, Metadata, RecordedEvent
from shared.logging import get_logger
from shared.scheduler import cancel_timer

__all__ = ["cancel_repaid_expiries", "expiry_timer_key", "register_operator_payment", "register_payment"]

log = get_logger(__name__)


def expiry_timer_key(promised_payment_id: str) -> str:
    return f"promised-payment-expiry:{promised_payment_id}"


def _payment_body(request: PaymentRequest, payment_id: str) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "account_id": request.account_id,
        "amount": str(request.amount),
        "method": request.method,
        "external_id": request.external_id,
        "paid_at": request.paid_at.isoformat(),
        "top_up_id": request.top_up_id,
    }


async def cancel_repaid_expiries(conn: Connection, recorded: list[RecordedEvent], clock: Clock) -> None:
    for event in recorded:
        if event.event_type == PromisedPaymentRepaid.event_type and event.payload["fully_repaid"]:
            await cancel_timer(conn, expiry_timer_key(event.payload["promised_payment_id"]), clock.now())


async def register_payment(
    store: EventStore, clock: Clock, request: PaymentRequest, metadata: Metadata
) -> CommandResult:
    """Append `PaymentRegistered` once per (method, external id); a repeat answers the first
    result, the same external id with other content is refused and changes nothing.

    A provider's repeated callback carries no payment time of its own (it is the time we heard of
    it), so for top-ups the top-up id, not the time, tells a repeat from a reuse."""
    payment_id = str(uuid.uuid4())
    fingerprint: dict[str, Any] = {"account_id": request.account_id, "amount": str(request.amount)}
    if request.top_up_id is not None:
        fingerprint["top_up_id"] = request.top_up_id
    else:
        fingerprint["paid_at"] = request.paid_at.isoformat()

    async def in_transaction(conn: Connection, _: PaymentAccount, recorded: list[RecordedEvent]) -> None:
        await cancel_repaid_expiries(conn, recorded, clock)

    try:
        return await execute(
            store,
            PaymentAccount,
            stream_id_for(request.account_id),
            lambda account: account.register_payment(request, payment_id, metadata.actor or "unknown"),
            metadata=metadata,
            now=clock.now(),
            # A natural key, not a client's: the payment's own id at its source dedupes it, whoever
            # reports it (an operator, a provider's callback, autopay), so no actor in its scope.
            idempotency_key=scoped_key(request.external_id, "payment", request.method),
            request=fingerprint,
            respond=lambda _account, _recorded: _payment_body(request, payment_id),
            in_transaction=in_transaction,
        )
    except IdempotencyKeyReused:
        raise Conflict(
            "payment.external_id_reused",
            f"external id {request.external_id!r} was already registered with other details",
        ) from None


async def register_operator_payment(ctx: Payments, request: PaymentRequest, metadata: Metadata) -> CommandResult:
    """An operator's payment (cash, bank statement, card terminal) for an account the payments
    service knows; on a closed account it is registered and flagged (module docstring)."""
    facts = await required_facts(ctx, request.account_id)
    result = await register_payment(ctx.store, ctx.clock, request, metadata)
    if facts.closed:
        if not result.repeated:
            log.warning("payment.account_closed", account_id=request.account_id,
                        payment_id=result.body["payment_id"], method=request.method)
        result = replace(result, body={**result.body, "account_closed": True})
    return result
