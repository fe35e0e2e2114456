"""Use case: the bill run at period close — every account in service during the period gets its
closing charges posted and exactly one regular invoice.

Why it cannot invoice anyone twice or skip anyone, even killed with kill -9 and started again:
- the run walks the accounts in id order, a batch per transaction, and moves its cursor in that
  same transaction: a batch is either wholly done (invoices, events, cursor) or not at all;
- `invoices` has UNIQUE (account_id, period, kind): a second insert for an account does nothing
  (ON CONFLICT), whatever any check before it believed, and the charges stream refuses a second
  InvoiceIssued for the period (domain/account.py);
- a number comes from its series' counter row, updated (so locked) in the transaction that inserts
  the invoice: concurrent workers queue on that row, a rolled-back invoice gives its number back,
  so numbers are gapless per series;
- one batch of a run at a time: the run's row is claimed FOR UPDATE SKIP LOCKED per batch."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.invoicing.application.context import Invoicing, append, recorded_lines
from services.invoicing.application.delivery import queue_regular_mailing
from services.invoicing.application.ports import BillRun, InvoiceRecord
from services.invoicing.domain.account import AccountCharges, following_period, stream_id_for
from services.invoicing.domain.coverage import desired
from services.invoicing.domain.invoice import due_on, invoice_id_for, invoice_number, series_for
from shared.commands import load_aggregate
from shared.db import Connection
from shared.errors import ConcurrencyConflict
from shared.eventstore import Metadata
from shared.logging import get_logger, new_correlation_id

__all__ = ["bill_run_json", "invoice_account", "run_bill_run_batch", "start_bill_run"]

log = get_logger(__name__)
ATTEMPTS = 8


def last_day(period: date) -> date:
    return following_period(period) - timedelta(days=1)


async def start_bill_run(ctx: Invoicing, conn: Connection, period: date, now: datetime,
                         not_before: datetime | None = None) -> bool:
    """Start the run of `period` (once: a second start does nothing), its batches from `not_before`
    (now when not given); in the caller's transaction."""
    total = await ctx.plans.count_in_service(conn, period, last_day(period))
    started = await ctx.bill_runs.start(conn, period, now, total, not_before or now)
    if started:
        log.info("bill_run.started", period=f"{period:%Y-%m}", accounts=total)
    return started


async def run_bill_run_batch(ctx: Invoicing, period: date | None = None) -> BillRun | None:
    """Invoice the next batch of an unfinished run (of `period`, or the oldest); the run after it,
    None when no run was waiting (or another worker holds it)."""
    now = ctx.clock.now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        run = await ctx.bill_runs.claim_open(conn, now, period)
        if run is None:
            return None
        accounts = await ctx.plans.in_service(conn, run.period, last_day(run.period), run.cursor,
                                              ctx.bill_run_batch_size)
        metadata = Metadata(correlation_id=new_correlation_id(), actor="invoicing:bill-run")
        issued = 0
        for account_id in accounts:
            issued += await invoice_account(ctx, conn, account_id, run.period, now, metadata)
        finished = now if len(accounts) < ctx.bill_run_batch_size else None
        cursor = accounts[-1] if accounts else run.cursor
        await ctx.bill_runs.advance(conn, run.period, cursor, len(accounts), issued, finished)
    done = run.done + len(accounts)
    log.info("bill_run.finished" if finished else "bill_run.progress", period=f"{run.period:%Y-%m}",
             done=done, total=run.accounts_total, issued=run.issued + issued)
    return BillRun(run.period, run.started_at, run.accounts_total, cursor, done, run.issued + issued, finished)


async def invoice_account(ctx: Invoicing, conn: Connection, account_id: str, period: date, now: datetime,
                          metadata: Metadata) -> int:
    """Post the period's closing charges and issue its invoice (1), or nothing if it has one (0)."""
    for attempt in range(ATTEMPTS):
        try:
            async with conn.transaction():
                return await _invoice(ctx, conn, account_id, period, now, metadata)
        except ConcurrencyConflict:
            if attempt == ATTEMPTS - 1:
                raise
    return 0


async def _invoice(ctx: Invoicing, conn: Connection, account_id: str, period: date, now: datetime,
                   metadata: Metadata) -> int:
    plan = await ctx.plans.load(conn, account_id)
    aggregate = await load_aggregate(ctx.store, conn, AccountCharges, stream_id_for(account_id))
    if plan is None or period in aggregate.invoices:
        return 0
    expected = aggregate.version
    wanted = desired(plan, ctx.rules, period, last_day(period), whole_period=True)
    lines = aggregate.post_charges(period, wanted, now)
    aggregate.replay(lines)
    series = series_for(ctx.series_prefix, period)
    seq = await ctx.invoices.take_number(conn, series)
    invoice_id = invoice_id_for(account_id, period)
    [issued] = aggregate.issue_invoice(period, invoice_id, series, invoice_number(series, seq), now, due_on(period))
    aggregate.replay([issued])
    end = last_day(period)
    subscribers = [{"line_id": line.line_id, "identifier": line.identifier, "subscriber_name": line.name_on(end)}
                   for line in plan.lines.values() if line.started_on <= end]
    record = InvoiceRecord(invoice_id, account_id, period, series, seq, issued.number, plan.payment_form,
                           issued.net, issued.vat, issued.other_tax, issued.total, now, issued.due_on,
                           subscribers, period)
    if not await ctx.invoices.insert(conn, record):
        raise _AlreadyInvoiced(account_id)  # the constraint: undo the number and the lines taken here
    await append(ctx, conn, aggregate, expected, [*lines, issued], metadata, now)
    await ctx.charge_lines.record(conn, recorded_lines(lines, wanted))
    await queue_regular_mailing(conn, account_id, invoice_id, period, now)
    return 1


class _AlreadyInvoiced(ConcurrencyConflict):
    """Another transaction invoiced the account first: re-read, and find it invoiced."""

    def __init__(self, account_id: str) -> None:
        super().__init__(stream_id_for(account_id), -1)


def bill_run_json(run: BillRun) -> dict[str, Any]:
    return {"period": f"{run.period:%Y-%m}", "started_at": run.started_at.isoformat(),
            "accounts_total": run.accounts_total, "done": run.done, "issued": run.issued,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "status": "finished" if run.finished_at else "running"}
