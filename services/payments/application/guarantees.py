"""Use case: an organization registers a payment guarantee (seed 004, "Регистрация платежей")."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from services.payments.application.context import Payments, required_facts
from services.payments.domain.account import PaymentAccount, stream_id_for
from services.payments.domain.guarantee import Guarantee
from shared.commands import CommandResult, execute, scoped_key
from shared.eventstore import Metadata

__all__ = ["guarantee_json", "register_guarantee"]


def guarantee_json(account_id: str, guarantee: Guarantee) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "guarantee_id": guarantee.guarantee_id,
        "amount": str(guarantee.amount),
        "pay_by": guarantee.pay_by.isoformat(),
        "invoice_ref": guarantee.invoice_ref,
        "registered_at": guarantee.registered_at.isoformat() if guarantee.registered_at else None,
    }


async def register_guarantee(
    ctx: Payments, account_id: str, amount: Decimal, pay_by: date, invoice_ref: str | None,
    metadata: Metadata, idempotency_key: str | None = None,
) -> CommandResult:
    facts = await required_facts(ctx, account_id)
    guarantee_id = str(uuid.uuid4())
    now = ctx.clock.now()
    return await execute(
        ctx.store, PaymentAccount, stream_id_for(account_id),
        lambda account: account.register_guarantee(guarantee_id, amount, pay_by, invoice_ref, now, facts, ctx.tz),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor, "guarantee", account_id),
        request={"amount": str(amount), "pay_by": pay_by.isoformat(), "invoice_ref": invoice_ref},
        respond=lambda account, _: guarantee_json(account_id, account.guarantees[-1]),
    )
