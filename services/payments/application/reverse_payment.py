"""Use case: an operator reverses a registered payment (PaymentReversed); nothing is deleted."""

from __future__ import annotations

from services.payments.application.context import Payments
from services.payments.domain.account import PaymentAccount, stream_id_for
from shared.commands import CommandResult, execute, scoped_key
from shared.eventstore import Metadata

__all__ = ["reverse_payment"]


async def reverse_payment(
    ctx: Payments, account_id: str, payment_id: str, reason: str, metadata: Metadata,
    idempotency_key: str | None = None,
) -> CommandResult:
    return await execute(
        ctx.store, PaymentAccount, stream_id_for(account_id),
        lambda account: account.reverse_payment(payment_id, reason, metadata.actor or "operator"),
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor, "reversal", account_id),
        request={"payment_id": payment_id, "reason": reason},
        respond=lambda account, _: {"account_id": account_id, "payment_id": payment_id,
                                    "amount": str(account.payments[payment_id].amount), "reason": reason,
                                    "reversed": True},
    )
