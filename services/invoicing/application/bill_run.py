"""Use case: the bill run at period close — every account in service during the period gets its
closing charges posted and exactly one regular invoice.

A batch of accounts is decided together and written in a few statements (issue 11 item 11: 100,000
accounts within a minute): their plans and charges streams read in one query each, the closing
charges and invoices decided in memory, one contiguous range of numbers taken, then the invoices,
every stream's events, the charges page's lines and the mailings written a statement each.

Why it cannot invoice anyone twice or skip anyone, even killed with kill -9 and started again:
- the run walks the accounts in id order, a batch per transaction, and moves its cursor in that
  same transaction: a batch is either wholly done (invoices, events, cursor) or not at all;
- `invoices` has UNIQUE (account_id, period, kind): a second insert for an account does nothing
  (ON CONFLICT), whatever any check before it believed, and the charges stream refuses a second
  InvoiceIssued for the period (domain/account.py);
- numbers come from their series' counter row, updated (so locked) in the transaction that inserts
  the invoices: concurrent workers queue on that row, a rolled-back batch gives its numbers back,
  so numbers are gapless per series;
- a batch that meets a concurrent writer (another worker invoiced one of its accounts, the posting
  worker appended to one of its streams) is undone whole (its savepoint: numbers, invoices, events)
  and decided again from a fresh read; one that keeps meeting them goes account by account;
- one batch of a run at a time: the run's row is claimed FOR UPDATE SKIP LOCKED per batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.invoicing.application.context import Invoicing, append_many, recorded_lines
from services.invoicing.application.delivery import queue_regular_mailings
from services.invoicing.application.ports import BillRun, InvoiceRecord
from services.invoicing.domain.account import AccountCharges, following_period, stream_id_for
from services.invoicing.domain.coverage import Coverage, FeeKey, desired
from services.invoicing.domain.events import ChargePosted
from services.invoicing.domain.invoice import due_on, invoice_id_for, invoice_number, series_for
from services.invoicing.domain.plan import AccountPlan
from shared.commands import load_aggregates
from shared.db import Connection
from shared.errors import ConcurrencyConflict
from shared.eventstore import Metadata
from shared.logging import get_logger, new_correlation_id

__all__ = ["bill_run_json", "invoice_account", "invoice_accounts", "run_bill_run_batch", "start_bill_run"]

log = get_logger(__name__)
ATTEMPTS = 8
#: A batch meeting concurrent writers is decided again this many times before going account by account.
BATCH_ATTEMPTS = 3


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
        issued = await invoice_accounts(ctx, conn, accounts, run.period, now, metadata)
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
    return await invoice_accounts(ctx, conn, [account_id], period, now, metadata)


async def invoice_accounts(ctx: Invoicing, conn: Connection, account_ids: Sequence[str], period: date,
                           now: datetime, metadata: Metadata) -> int:
    """`invoice_account` for a batch of accounts (in id order) decided and written together; how
    many invoices were issued. Retried whole in a savepoint when a concurrent writer got there first;
    a batch that keeps losing is invoiced account by account."""
    attempts = ATTEMPTS if len(account_ids) == 1 else BATCH_ATTEMPTS
    for attempt in range(attempts):
        try:
            async with conn.transaction():
                return await _invoice_batch(ctx, conn, account_ids, period, now, metadata)
        except ConcurrencyConflict:
            if len(account_ids) == 1 and attempt == attempts - 1:
                raise
    log.info("bill_run.batch_contended", period=f"{period:%Y-%m}", accounts=len(account_ids))
    return sum([await invoice_account(ctx, conn, account_id, period, now, metadata) for account_id in account_ids])


@dataclass
class _Closing:
    """An account's closing charges, decided; its invoice follows once numbers are taken."""

    plan: AccountPlan
    charges: AccountCharges
    expected: int
    wanted: dict[FeeKey, Coverage]
    lines: list[ChargePosted]


async def _invoice_batch(ctx: Invoicing, conn: Connection, account_ids: Sequence[str], period: date, now: datetime,
                         metadata: Metadata) -> int:
    plans = await ctx.plans.load_many(conn, account_ids)
    streams = await load_aggregates(ctx.store, conn, AccountCharges, [stream_id_for(a) for a in account_ids])
    closing = [_close(ctx, plans[a], streams[stream_id_for(a)], period, now)
               for a in account_ids if a in plans and period not in streams[stream_id_for(a)].invoices]
    if not closing:
        return 0
    series = series_for(ctx.series_prefix, period)
    first = await ctx.invoices.take_numbers(conn, series, len(closing))
    end = last_day(period)
    records, events = [], []
    for seq, account in enumerate(closing, start=first):
        invoice_id = invoice_id_for(account.plan.account_id, period)
        [issued] = account.charges.issue_invoice(period, invoice_id, series, invoice_number(series, seq), now,
                                                 due_on(period))
        account.charges.replay([issued])
        subscribers = [{"line_id": line.line_id, "identifier": line.identifier, "subscriber_name": line.name_on(end)}
                       for line in account.plan.lines.values() if line.started_on <= end]
        records.append(InvoiceRecord(invoice_id, account.plan.account_id, period, series, seq, issued.number,
                                     account.plan.payment_form, issued.net, issued.vat, issued.other_tax,
                                     issued.total, now, issued.due_on, subscribers, period))
        events.append((account.charges, account.expected, [*account.lines, issued]))
    inserted = await ctx.invoices.insert_many(conn, records)
    if len(inserted) < len(records):  # the constraint: undo the numbers and the lines taken here
        raise _AlreadyInvoiced(next(r.account_id for r in records if r.account_id not in inserted))
    await append_many(ctx, conn, events, metadata, now)
    await ctx.charge_lines.record(conn, [line for account in closing
                                         for line in recorded_lines(account.lines, account.wanted)])
    await queue_regular_mailings(conn, [(r.account_id, r.invoice_id) for r in records], period, now)
    return len(records)


def _close(ctx: Invoicing, plan: AccountPlan, charges: AccountCharges, period: date, now: datetime) -> _Closing:
    expected = charges.version
    wanted = desired(plan, ctx.rules, period, last_day(period), whole_period=True)
    lines = charges.post_charges(period, wanted, now)
    charges.replay(lines)
    return _Closing(plan, charges, expected, wanted, lines)


class _AlreadyInvoiced(ConcurrencyConflict):
    """Another transaction invoiced the account first: re-read, and find it invoiced."""

    def __init__(self, account_id: str) -> None:
        super().__init__(stream_id_for(account_id), -1)


def bill_run_json(run: BillRun) -> dict[str, Any]:
    return {"period": f"{run.period:%Y-%m}", "started_at": run.started_at.isoformat(),
            "accounts_total": run.accounts_total, "done": run.done, "issued": run.issued,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "status": "finished" if run.finished_at else "running"}
