"""Use case: post what is due on an account's charges, and the next period's fee forecast.

Run by the posting worker for every account queued (a fact arrived: projections/account_plans.py;
a day began: the day timer, entrypoints/timers.py), each in the transaction that takes it off the
queue. Posting reconciles (domain/account.py): a re-run, a redelivery or two workers on one account
post nothing new; the loser of a concurrent append re-reads the stream and decides again."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.invoicing.application.context import Invoicing, append, recorded_lines
from services.invoicing.domain.account import AccountCharges, following_period, stream_id_for
from services.invoicing.domain.coverage import desired
from shared.calendar import month_start
from shared.commands import load_aggregate
from shared.db import Connection
from shared.errors import ConcurrencyConflict
from shared.eventstore import Metadata
from shared.logging import get_logger, new_correlation_id

__all__ = ["drain_posting_queue", "post_due_charges"]

log = get_logger(__name__)
ATTEMPTS = 8


async def post_due_charges(ctx: Invoicing, conn: Connection, account_id: str, now: datetime,
                           correlation_id: str | None = None) -> int:
    """Post the current period's charges due by `now` and the forecasts of this period's and the
    next period's fees where they changed;
    the number of events appended. Retries a concurrent writer in a savepoint."""
    for attempt in range(ATTEMPTS):
        try:
            async with conn.transaction():
                return await _post(ctx, conn, account_id, now, correlation_id)
        except ConcurrencyConflict:
            if attempt == ATTEMPTS - 1:
                raise
    return 0


async def _post(ctx: Invoicing, conn: Connection, account_id: str, now: datetime, correlation_id: str | None) -> int:
    plan = await ctx.plans.load(conn, account_id)
    if plan is None:
        return 0
    today = ctx.today(now)
    period = month_start(today)
    aggregate = await load_aggregate(ctx.store, conn, AccountCharges, stream_id_for(account_id))
    expected = aggregate.version
    wanted = desired(plan, ctx.rules, period, today)
    lines = aggregate.post_charges(period, wanted, now)
    aggregate.replay(lines)
    forecast = []
    for forecast_period in (period, following_period(period)):  # this period's fees too: an account
        # charged for the first time mid-month has no forecast of them from last month (promised
        # payments are capped by them)
        changed = aggregate.forecast(forecast_period, desired(plan, ctx.rules, forecast_period, today,
                                                              whole_period=True), now)
        aggregate.replay(changed)
        forecast.extend(changed)
    events = [*lines, *forecast]
    if events:
        metadata = Metadata(correlation_id=correlation_id or new_correlation_id(), actor="invoicing:posting")
        await append(ctx, conn, aggregate, expected, events, metadata, now)
        await ctx.charge_lines.record(conn, recorded_lines(lines, wanted))
        log.info("charges.posted", account_id=account_id, period=f"{period:%Y-%m}", lines=len(lines),
                 forecast=str(forecast[0].amount) if forecast else None)
    return len(events)


async def drain_posting_queue(ctx: Invoicing) -> int:
    """Take a batch of queued accounts and post for each; the number of accounts posted. One that
    fails (its savepoint undone) is queued again after a back-off and logged, without holding back
    the others."""
    now = ctx.clock.now()
    posted = 0
    async with ctx.pool.acquire() as conn, conn.transaction():
        for queued in await ctx.queue.claim(conn, ctx.posting_batch_size, now):
            try:
                await post_due_charges(ctx, conn, queued.account_id, now, queued.correlation_id)
                posted += 1
            except Exception as error:
                delay = timedelta(seconds=min(3600, 2 ** (queued.failures + 1)))
                log.error("charges.posting_failed", account_id=queued.account_id, failures=queued.failures + 1,
                          retry_in_s=delay.total_seconds(), error=repr(error))
                await ctx.queue.retry_later(conn, queued, now, now + delay)
    return posted
