"""What every use case of the invoicing service works with, wired once by the composition root."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.invoicing.application.ports import BillRuns, ChargeLines, Invoices, Plans, PostingQueue, RecordedLine
from services.invoicing.domain.account import AccountCharges, label_of, stream_id_for
from services.invoicing.domain.coverage import Coverage, FeeKey
from services.invoicing.domain.events import ChargePosted
from services.invoicing.domain.page import PostedLine
from services.invoicing.domain.proration import Price
from services.invoicing.domain.rules import ChargingRules
from shared.calendar import local_date
from shared.clock import Clock
from shared.db import Connection, Pool
from shared.events import DomainEvent
from shared.eventstore import EventStore, Metadata, StreamAppend

__all__ = ["Invoicing", "append", "append_many", "recorded_lines"]


@dataclass(frozen=True)
class Invoicing:
    store: EventStore
    clock: Clock
    tz: ZoneInfo
    rules: ChargingRules
    plans: Plans
    queue: PostingQueue
    charge_lines: ChargeLines
    invoices: Invoices
    bill_runs: BillRuns
    series_prefix: str = "INV"
    bill_run_batch_size: int = 200
    posting_batch_size: int = 50
    bill_run_grace_minutes: int = 60

    @property
    def pool(self) -> Pool:
        return self.store.pool

    def today(self, now: datetime | None = None) -> date:
        return local_date(now or self.clock.now(), self.tz)


async def append(ctx: Invoicing, conn: Connection, aggregate: AccountCharges, expected: int,
                 events: Sequence[DomainEvent], metadata: Metadata, now: datetime) -> None:
    """Append `events` (already applied to `aggregate`) to the account's charges stream at the version
    it was loaded at: a concurrent writer makes this raise ConcurrencyConflict, and the caller's
    savepoint retries with the stream re-read. Every `snapshot_every` events a snapshot is kept."""
    stream_id = stream_id_for(aggregate.account_id)
    await ctx.store.append(conn, stream_id=stream_id, stream_type=AccountCharges.stream_type,
                           expected_version=expected, events=events, metadata=metadata, occurred_at=now)
    await _snapshot_if_due(ctx, conn, aggregate, expected)


async def append_many(ctx: Invoicing, conn: Connection,
                      batch: Sequence[tuple[AccountCharges, int, Sequence[DomainEvent]]], metadata: Metadata,
                      now: datetime) -> None:
    """`append` for a batch of accounts (aggregate, version it was loaded at, its new events) in one
    statement: all of them, or ConcurrencyConflict and none (the caller's savepoint undoes the rest)."""
    await ctx.store.append_streams(
        conn, [StreamAppend(stream_id_for(a.account_id), AccountCharges.stream_type, expected, events)
               for a, expected, events in batch], metadata=metadata, occurred_at=now)
    for aggregate, expected, _ in batch:
        await _snapshot_if_due(ctx, conn, aggregate, expected)


async def _snapshot_if_due(ctx: Invoicing, conn: Connection, aggregate: AccountCharges, expected: int) -> None:
    every = AccountCharges.snapshot_every
    if every and aggregate.version // every > expected // every:
        state = {"_schema": AccountCharges.snapshot_schema, "state": aggregate.snapshot_state()}
        await ctx.store.save_snapshot(conn, stream_id_for(aggregate.account_id), aggregate.version, state)


def recorded_lines(events: Sequence[DomainEvent], wanted: dict[FeeKey, Coverage]) -> list[RecordedLine]:
    """The charges page's rows of posted lines: named and prorated as the fee they belong to."""
    prices: dict[tuple[str, Decimal | None, Decimal], tuple[Price, Coverage]] = {
        (k.item, k.price.monthly_fee, k.price.vat_rate): (k.price, c) for k, c in wanted.items()}
    rows = []
    for event in events:
        if not isinstance(event, ChargePosted):
            continue
        price: Price | None = None
        coverage: Coverage | None = None
        found = prices.get((event.item, event.monthly_fee, event.vat_rate))
        if found is not None:
            price, coverage = found
        days = (event.to_day - event.from_day).days + 1
        if coverage is not None:
            label = coverage.label
        else:  # a credit of a fee no longer due, or usage (named as rated)
            label = label_of(event.description, days) if event.monthly_fee is not None else event.description
        line = PostedLine(event.line_id, event.item, event.kind, label, bool(price and price.whole), event.monthly_fee,
                          event.vat_rate, event.from_day, event.to_day, event.quantity, event.net, event.vat,
                          event.other_tax)
        rows.append(RecordedLine(event.charge_id, event.account_id, event.period, line, event.description,
                                 event.total, event.posted_at))
    return rows
