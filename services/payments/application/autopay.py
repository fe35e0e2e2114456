"""Use cases: autopay settings (enable with a saved method, change the cap, disable) and the
charge 3 days before each period, fired by a durable timer.

The provider's token is stored in `payment_methods` only (events carry the masked reference).
Charging is network I/O, so the timer's handler does not charge inside the timer transaction (it
would hold back every relay's horizon, shared/scheduler.py): it decides there, schedules the next
period and a later re-check, and hands the charge back to run after the commit. The charge and its
outcome share one idempotency key per account and period, the provider's and ours, and the
aggregate records at most one outcome per period: a timer firing twice never charges twice."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from services.payments.application.context import Payments, required_facts
from services.payments.application.register_payment import cancel_repaid_expiries
from services.payments.domain.account import PaymentAccount, PaymentRequest, stream_id_for
from services.payments.domain.autopay import LEAD_DAYS, amount_needed, charge_due, mask_method
from services.payments.domain.events import Provider
from shared.calendar import Period, local_date
from shared.commands import CommandResult, execute, load_aggregate, scoped_key
from shared.db import Connection
from shared.eventstore import Metadata, RecordedEvent
from shared.logging import get_logger
from shared.scheduler import AfterCommit, DueTimer, cancel_timer, schedule_timer

__all__ = ["CHARGE", "change_autopay_cap", "charge_autopay", "disable_autopay", "enable_autopay", "prepare_charge"]

log = get_logger(__name__)

#: The kind of autopay's charge timers.
CHARGE = "autopay.charge"
RECHECK_AFTER = timedelta(hours=1)
MAX_RECHECKS = 5


def charge_key(account_id: str, period: str) -> str:
    return f"autopay:{account_id}:{period}"


def autopay_json(account: PaymentAccount) -> dict[str, Any]:
    settings = account.autopay
    return {
        "account_id": account.account_id,
        "enabled": settings is not None,
        "provider": settings.provider if settings else None,
        "method_masked": settings.method_masked if settings else None,
        "cap": str(settings.cap) if settings and settings.cap is not None else None,
    }


async def _schedule(conn: Connection, account_id: str, period: Period, due: Any, attempt: int = 0) -> None:
    key = charge_key(account_id, period.name) + (f":recheck-{attempt}" if attempt else "")
    await schedule_timer(conn, key, CHARGE, due, {"account_id": account_id, "period": period.name, "attempt": attempt})


async def enable_autopay(
    ctx: Payments, account_id: str, provider: Provider, token: str, cap: Decimal | None,
    metadata: Metadata, idempotency_key: str | None = None,
) -> CommandResult:
    ctx.providers.charger(provider)
    masked = mask_method(token)
    facts = await required_facts(ctx, account_id)
    now = ctx.clock.now()
    period, due = charge_due(now, ctx.tz)

    async def save_method(conn: Connection, _: PaymentAccount, __: list[RecordedEvent]) -> None:
        await ctx.saved_methods.save(conn, account_id, provider, token, masked, now)
        await _schedule(conn, account_id, period, due)

    return await execute(
        ctx.store, PaymentAccount, stream_id_for(account_id),
        lambda account: account.enable_autopay(provider, masked, cap, facts),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor, "autopay-enable", account_id),
        request={"provider": provider, "method_masked": masked, "cap": str(cap)},
        respond=lambda account, _: autopay_json(account), in_transaction=save_method,
    )


async def change_autopay_cap(
    ctx: Payments, account_id: str, cap: Decimal | None, metadata: Metadata, idempotency_key: str | None = None
) -> CommandResult:
    return await execute(
        ctx.store, PaymentAccount, stream_id_for(account_id), lambda account: account.change_autopay_cap(cap),
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor, "autopay-cap", account_id),
        request={"cap": str(cap)}, respond=lambda account, _: autopay_json(account),
    )


async def disable_autopay(
    ctx: Payments, account_id: str, metadata: Metadata, idempotency_key: str | None = None
) -> CommandResult:
    now = ctx.clock.now()

    async def forget_method(conn: Connection, _: PaymentAccount, __: list[RecordedEvent]) -> None:
        await ctx.saved_methods.forget(conn, account_id)
        period, _due = charge_due(now, ctx.tz)
        await cancel_timer(conn, charge_key(account_id, period.name), now)

    return await execute(
        ctx.store, PaymentAccount, stream_id_for(account_id), lambda account: account.disable_autopay(),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor, "autopay-disable", account_id),
        request={}, respond=lambda account, _: autopay_json(account), in_transaction=forget_method,
    )


def _period(name: str, ctx: Payments) -> Period:
    year, month = name.split("-")
    return Period(date(int(year), int(month), 1), ctx.tz)


async def prepare_charge(ctx: Payments, conn: Connection, timer: DueTimer) -> AfterCommit | None:
    """The timer's handler, in the timer's transaction: decide whether and how much to charge.

    The amount is decided once per account and period (`autopay_amounts`, keyed like the charge):
    a retry sends, and records, the amount of the first decision, never one recomputed from the
    funds of the moment (the provider answers a repeated key with the first charge)."""
    account_id, attempt = timer.payload["account_id"], int(timer.payload.get("attempt", 0))
    period = _period(timer.payload["period"], ctx)
    account = await load_aggregate(ctx.store, conn, PaymentAccount, stream_id_for(account_id))
    if account.autopay is None:
        return None
    now = ctx.clock.now()
    facts = await ctx.facts.load(conn, account_id, local_date(now, ctx.tz), period.first_day)
    if facts is not None and facts.closed:
        log.info("autopay.account_closed", account_id=account_id, period=period.name)
        return None  # no charge, and no timer for the following period
    if attempt == 0:
        following = period.following()
        await _schedule(conn, account_id, following, following.starts_in(LEAD_DAYS))
    if period.name in account.autopay_periods:
        return None
    if facts is None:
        log.warning("autopay.account_unknown", account_id=account_id, period=period.name)
        return None
    key = charge_key(account_id, period.name)
    amount = await ctx.autopay_amounts.decided(conn, key)
    if amount is None:
        amount = amount_needed(facts.next_period_fee, account.available(facts), account.autopay.cap)
    token = await ctx.saved_methods.token(conn, account_id)
    if amount <= 0 or token is None:
        log.info("autopay.nothing_to_charge", account_id=account_id, period=period.name)
        return None
    # A firing racing this one may have decided first: charge what was stored.
    decided = await ctx.autopay_amounts.decide(conn, key, account_id, period.name, amount, now)
    if attempt < MAX_RECHECKS:  # should the charge below never record an outcome
        await _schedule(conn, account_id, period, now + RECHECK_AFTER, attempt + 1)
    provider = account.autopay.provider

    async def charge() -> None:
        await charge_autopay(ctx, account_id, period.name, provider, token, decided)

    return charge


async def charge_autopay(
    ctx: Payments, account_id: str, period: str, provider: str, token: str, amount: Decimal
) -> CommandResult:
    key = charge_key(account_id, period)
    result = await ctx.providers.charger(provider).charge(token, amount, key)
    now = ctx.clock.now()
    payment_id = str(uuid.uuid4())
    charged = result.amount if result.amount is not None else amount

    def decide(account: PaymentAccount) -> list[Any]:
        if result.succeeded:
            request = PaymentRequest(account_id, charged, "autopay", result.charge_id or key, now)
            return account.autopay_charged(period, request, payment_id)
        return account.autopay_failed(period, amount, result.reason or "declined")

    async def in_transaction(conn: Connection, _: PaymentAccount, recorded: list[RecordedEvent]) -> None:
        await cancel_repaid_expiries(conn, recorded, ctx.clock)

    outcome = await execute(
        ctx.store, PaymentAccount, stream_id_for(account_id), decide,
        metadata=Metadata(correlation_id=f"timer:{key}", actor="autopay"), now=now,
        idempotency_key=key, request={"period": period}, in_transaction=in_transaction,
    )
    log.info("autopay.settled", account_id=account_id, period=period, succeeded=result.succeeded,
             repeated=outcome.repeated)
    return outcome
