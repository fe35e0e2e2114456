"""Use case: a business day begins (a durable timer per local day, `invoicing.day`).

On the 1st every account in service is queued for posting (the new period's fees in advance, the
forecast of the one after it) and the previous period's bill run starts; on other days only the
accounts with a daily-accrual tariff or a block starting that day (its own fee): what else changes
an account's charges is a fact, and facts queue the account themselves. Every day, postpaid
invoices unpaid past their due date become overdue (application/overdue.py). The handler schedules the
next day's timer in its own transaction, so the chain survives restarts; a stopped service (or a
dev clock moved forward) catches up day by day."""

from __future__ import annotations

from datetime import date, timedelta

from services.invoicing.application.bill_run import start_bill_run
from services.invoicing.application.context import Invoicing
from services.invoicing.application.overdue import mark_overdue
from shared.calendar import add_months, start_of_day
from shared.db import Connection
from shared.logging import get_logger
from shared.scheduler import schedule_timer, timer_exists

__all__ = ["DAY", "begin_day", "ensure_day_timer"]

log = get_logger(__name__)

#: The kind of the day timers.
DAY = "invoicing.day"


def _key(day: date) -> str:
    return f"invoicing-day:{day.isoformat()}"


async def _schedule(ctx: Invoicing, conn: Connection, day: date) -> None:
    await schedule_timer(conn, _key(day), DAY, start_of_day(day, ctx.tz), {"day": day.isoformat()})


async def ensure_day_timer(ctx: Invoicing) -> None:
    """At start: today's timer, unless the chain already has it (fired or pending)."""
    today = ctx.today()
    async with ctx.pool.acquire() as conn, conn.transaction():
        if not await timer_exists(conn, _key(today)):
            await _schedule(ctx, conn, today)


async def begin_day(ctx: Invoicing, conn: Connection, day: date) -> None:
    now = ctx.clock.now()
    queued = await ctx.queue.add_in_service(conn, day, now, None if day.day == 1 else ctx.rules.daily_tariffs())
    if day.day == 1:
        # its batches from an hour (BILL_RUN_GRACE_MINUTES) past midnight: facts of the month's last
        # moments still on their way through Kafka are in the plans by then
        await start_bill_run(ctx, conn, add_months(day, -1), now,
                             start_of_day(day, ctx.tz) + timedelta(minutes=ctx.bill_run_grace_minutes))
    overdue = await mark_overdue(ctx, conn, day, now)
    next_day = day + timedelta(days=1)
    if not await timer_exists(conn, _key(next_day)):
        await _schedule(ctx, conn, next_day)
    log.info("invoicing.day_began", day=day.isoformat(), queued=queued, overdue=overdue)
