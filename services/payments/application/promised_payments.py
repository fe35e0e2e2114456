"""Use cases: the promised-payment offer, taking one (its expiry timer is scheduled in the same
transaction as PromisedPaymentTaken), and its expiry when the timer fires."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from services.payments.application.context import Payments, required_facts
from services.payments.application.register_payment import expiry_timer_key
from services.payments.domain.account import PaymentAccount, stream_id_for
from services.payments.domain.promised_payment import TERM, Offer, PromisedPayment
from shared.commands import CommandResult, execute, load_aggregate, scoped_key
from shared.db import Connection
from shared.eventstore import Metadata, RecordedEvent
from shared.scheduler import schedule_timer

__all__ = ["EXPIRE", "expire_promised_payment", "promised_payment_offer", "take_promised_payment"]

#: The timer kind that ends a promised payment's term.
EXPIRE = "promised_payment.expire"


def promised_json(credit: PromisedPayment) -> dict[str, Any]:
    return {
        "promised_payment_id": credit.promised_payment_id,
        "amount": str(credit.amount),
        "outstanding": str(credit.outstanding),
        "repaid": str(credit.repaid),
        "withdrawn": str(credit.withdrawn),
        "taken_at": credit.taken_at.isoformat(),
        "due_at": credit.due_at.isoformat(),
        "status": credit.status,
    }


def offer_json(account_id: str, offer: Offer, outstanding: PromisedPayment | None) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "available": offer.available,
        "reason": offer.reason,
        "detail": offer.detail,
        "available_from": offer.available_from.isoformat() if offer.available_from else None,
        "recommended_amount": str(offer.recommended_amount),
        "max_amount": str(offer.max_amount),
        "term_days": TERM.days,
        "outstanding": promised_json(outstanding) if outstanding else None,
    }


async def promised_payment_offer(ctx: Payments, account_id: str) -> dict[str, Any]:
    facts = await required_facts(ctx, account_id)
    async with ctx.pool.acquire() as conn:
        account = await load_aggregate(ctx.store, conn, PaymentAccount, stream_id_for(account_id))
    offer = account.offer(facts, ctx.clock.now(), ctx.tz, ctx.promised_payment_cap)
    return offer_json(account_id, offer, account.outstanding_promised)


async def take_promised_payment(
    ctx: Payments, account_id: str, amount: Decimal, metadata: Metadata, idempotency_key: str | None = None
) -> CommandResult:
    facts = await required_facts(ctx, account_id)
    promised_payment_id = str(uuid.uuid4())
    now = ctx.clock.now()

    async def schedule_expiry(conn: Connection, account: PaymentAccount, _: list[RecordedEvent]) -> None:
        credit = account.promised[promised_payment_id]
        await schedule_timer(conn, expiry_timer_key(promised_payment_id), EXPIRE, credit.due_at,
                             {"account_id": account_id, "promised_payment_id": promised_payment_id})

    return await execute(
        ctx.store, PaymentAccount, stream_id_for(account_id),
        lambda account: account.take_promised_payment(
            promised_payment_id, amount, now, facts, ctx.tz, ctx.promised_payment_cap),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor, "promised-payment", account_id),
        request={"account_id": account_id, "amount": str(amount)},
        respond=lambda account, _: {"account_id": account_id,
                                    **promised_json(account.promised[promised_payment_id])},
        in_transaction=schedule_expiry,
    )


async def expire_promised_payment(ctx: Payments, account_id: str, promised_payment_id: str) -> CommandResult:
    """Withdraw the unpaid rest at the end of the term; a repaid (or already expired) one is left
    alone, so the timer may fire any number of times."""
    now = ctx.clock.now()
    return await execute(
        ctx.store, PaymentAccount, stream_id_for(account_id),
        lambda account: account.expire_promised_payment(promised_payment_id, now),
        metadata=Metadata(correlation_id=f"timer:{expiry_timer_key(promised_payment_id)}", actor="timer"),
        now=now,
    )
