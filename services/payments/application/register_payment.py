"""Use case: register a payment (operator: cash, bank statement; later provider callbacks)."""

from __future__ import annotations

import uuid
from typing import Any

from services.payments.domain.account import PaymentAccount, PaymentRequest, stream_id_for
from shared.clock import Clock
from shared.commands import CommandResult, execute
from shared.errors import Conflict
from shared.eventstore import EventStore, IdempotencyKeyReused, Metadata

__all__ = ["register_payment"]


def _payment_body(request: PaymentRequest, payment_id: str) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "account_id": request.account_id,
        "amount": str(request.amount),
        "method": request.method,
        "external_id": request.external_id,
        "paid_at": request.paid_at.isoformat(),
    }


async def register_payment(
    store: EventStore, clock: Clock, request: PaymentRequest, metadata: Metadata
) -> CommandResult:
    """Append `PaymentRegistered` once per (method, external id); a repeat answers the first
    result, the same external id with other content is refused and changes nothing."""
    payment_id = str(uuid.uuid4())
    try:
        return await execute(
            store,
            PaymentAccount,
            stream_id_for(request.account_id),
            lambda account: account.register_payment(request, payment_id, metadata.actor or "unknown"),
            metadata=metadata,
            now=clock.now(),
            idempotency_key=f"payment:{request.method}:{request.external_id}",
            request={
                "account_id": request.account_id,
                "amount": str(request.amount),
                "paid_at": request.paid_at.isoformat(),
            },
            respond=lambda _account, _recorded: _payment_body(request, payment_id),
        )
    except IdempotencyKeyReused:
        raise Conflict(
            "payment.external_id_reused",
            f"external id {request.external_id!r} was already registered with other details",
        ) from None
