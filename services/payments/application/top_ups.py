"""Use cases: start a top-up (the cabinet gets the provider's URL) and complete it when the
provider's verified callback arrives (exactly one payment per provider payment id, and one
payment per top-up).

A top-up is started only for an account the payments service knows (`account.not_found`) and that
is not closed (`top_up.account_closed`). Its callback may come after the account was closed: the
provider has taken the money, so it is registered all the same (never lost: a closed account's
credit is what the operator pays back) and logged at WARNING as `top_up.account_closed` for an
operator. A second provider payment id for a top-up already paid is refused with 409
`top_up.already_paid` and registers nothing; it is logged (with both payment ids, never a
signature) for an operator to refund through the provider."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from services.payments.application.context import Payments, facts_for, required_facts
from services.payments.application.register_payment import register_payment
from services.payments.domain.account import PaymentAccount, PaymentRequest, stream_id_for
from services.payments.domain.events import PaymentMethod, Provider
from services.payments.domain.providers import CallbackRefused, ProviderPayment, TopUp
from shared.commands import CommandResult, execute, scoped_key
from shared.db import Connection
from shared.errors import DomainError
from shared.eventstore import Metadata, RecordedEvent
from shared.logging import get_logger

__all__ = ["complete_top_up", "refuse_callback", "start_top_up"]

log = get_logger(__name__)


async def start_top_up(
    ctx: Payments, account_id: str, amount: Decimal, provider: Provider, metadata: Metadata,
    idempotency_key: str | None = None,
) -> CommandResult:
    checkout = ctx.providers.checkout(provider)
    facts = await required_facts(ctx, account_id)
    async with ctx.pool.acquire() as conn:
        invoice_id = await ctx.top_ups.next_invoice_id(conn)
    top_up = TopUp(invoice_id, account_id, amount, provider)
    now = ctx.clock.now()

    async def remember(conn: Connection, _: PaymentAccount, __: list[RecordedEvent]) -> None:
        await ctx.top_ups.remember(conn, top_up, now)

    def respond(_: PaymentAccount, __: list[RecordedEvent]) -> dict[str, Any]:
        return {"top_up_id": str(invoice_id), "account_id": account_id, "amount": str(amount),
                "provider": provider, "redirect_url": checkout.checkout_url(top_up)}

    return await execute(
        ctx.store, PaymentAccount, stream_id_for(account_id),
        lambda account: account.start_top_up(str(invoice_id), amount, provider, facts),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor, "top-up", account_id),
        request={"account_id": account_id, "amount": str(amount), "provider": provider},
        respond=respond, in_transaction=remember,
    )


async def find_top_up(ctx: Payments, invoice_id: int) -> TopUp | None:
    async with ctx.pool.acquire() as conn:
        return await ctx.top_ups.find(conn, invoice_id)


def refuse_callback(provider: str, refusal: CallbackRefused, invoice_id: int | None = None,
                    payment_id: str | None = None) -> CallbackRefused:
    """Log a refused callback (never its signature or any secret) and hand the refusal back."""
    log.warning("top_up.callback_refused", provider=provider, code=refusal.code, invoice_id=invoice_id,
                payment_id=payment_id)
    return refusal


async def checked_top_up(ctx: Payments, paid: ProviderPayment) -> TopUp:
    top_up = await find_top_up(ctx, paid.invoice_id)
    if top_up is None or top_up.provider != paid.provider:
        raise refuse_callback(paid.provider, CallbackRefused(
            "top_up.unknown_invoice", f"no {paid.provider} top-up {paid.invoice_id}", status=404), paid.invoice_id)
    if paid.amount != top_up.amount:
        raise refuse_callback(paid.provider, CallbackRefused(
            "top_up.amount_mismatch", f"top-up {paid.invoice_id} is for {top_up.amount}, not {paid.amount}",
            status=422), paid.invoice_id)
    return top_up


async def complete_top_up(ctx: Payments, paid: ProviderPayment, metadata: Metadata) -> CommandResult:
    """Register the payment a verified callback reports, once per provider payment id."""
    top_up = await checked_top_up(ctx, paid)
    request = PaymentRequest(
        account_id=top_up.account_id, amount=top_up.amount, method=cast(PaymentMethod, top_up.provider),
        external_id=paid.payment_id, paid_at=ctx.clock.now(), top_up_id=str(top_up.invoice_id),
    )
    try:
        result = await register_payment(ctx.store, ctx.clock, request, metadata)
    except DomainError as refused:
        if refused.code != "top_up.already_paid":
            raise
        raise refuse_callback(paid.provider, CallbackRefused(refused.code, refused.detail, status=409),
                              paid.invoice_id, paid.payment_id) from None
    log.info("top_up.paid", provider=paid.provider, invoice_id=paid.invoice_id, repeated=result.repeated)
    facts = None if result.repeated else await facts_for(ctx, top_up.account_id)
    if facts is not None and facts.closed:
        # Registered all the same (the provider took the money); an operator pays it back.
        log.warning("top_up.account_closed", provider=paid.provider, invoice_id=paid.invoice_id,
                    payment_id=paid.payment_id, account_id=top_up.account_id, amount=str(top_up.amount))
    return result
