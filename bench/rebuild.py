"""Rebuilding the gateway's cabinet payments projection from the payments store, beside a raw read
of the same events.

The store holds `EVENTS` events of `ACCOUNTS` accounts in the shape services/payments writes them
(docs/events.md): payments (most), promised payments taken and repaid, a reversal, autopay enabled
and charged, a guarantee, committed round-robin across accounts as traffic interleaves them.
Figures, events/s (each the median of the runs):

- raw read: the rows a rebuild reads (`EventStore.read_for_replay`, 10,000 per round trip, in commit
  order), nothing built or applied: what a rebuild cannot beat; and `EventStore.read_all` (the same
  events as RecordedEvent objects, the relay's and the old rebuild's read);
- replay: `rebuild_projection` as `make replay ARGS='rebuild ...'` runs it (fresh scratch schema,
  batched reads overlapping batched writes through the projection's bulk handlers, the swap); the
  replay's rate counts the events applied into the ready scratch tables over the time of the passes
  (reading, decoding, applying, the stream marks: issue 16's figure, beside the raw read of the same
  events); the rebuild's, over the time from the start (dropping and migrating the scratch schema
  included) to the swap; the whole command's, to the end;
- CPU: seconds this process (reading, building events, encoding) and the PostgreSQL server spent
  on the rebuild, from /proc as the consumers' bench takes them; with other work on the machine the
  wall-clock rate mostly measures the wait for a core, and `events / max(ours, server)` is the rate
  the two sides would reach overlapped on a core each;
- one by one: the same events through `apply` one event at a time (the path before the bulk
  handlers, and still the path of a projection without them), one transaction per 2,000 events.
"""

from __future__ import annotations

import json
import os
import statistics
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any

import asyncpg

from bench.common import RUNS, SCALE
from bench.consumers import postmaster_pid, snapshot
from bench.setup import migrate
from services.gateway.projections.cabinet_payments import CabinetPayments
from shared.db import Connection, create_pool
from shared.events import registry
from shared.eventstore import CommitPosition, EventStore
from shared.logging import configure_logging
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from shared.ops.rebuild import ROOT, rebuild_projection
from shared.projection import IncomingEvent, apply_batch

EVENTS = max(2000, int(40_000 * SCALE))
PER_ACCOUNT = 20
ACCOUNTS = EVENTS // PER_ACCOUNT
GOAL = 50_000
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
MIGRATIONS = ROOT / "services" / "gateway" / "migrations"


@dataclass(frozen=True)
class RebuildFigures:
    events: int
    accounts: int
    raw_read: float
    read_all: float
    replay: float
    rebuild: float
    rebuild_wall: float
    cpu_ours: float
    cpu_server: float | None
    one_by_one: float
    load: tuple[float, float]


def _history(account: str) -> list[tuple[str, dict[str, Any]]]:
    payments = [str(uuid.uuid4()) for _ in range(14)]

    def paid(n: int) -> tuple[str, dict[str, Any]]:
        return ("PaymentRegistered", {"account_id": account, "payment_id": payments[n], "amount": "450.00",
                                      "method": "card", "external_id": f"ch_{account}_{n}", "registered_by": "provider",
                                      "paid_at": (T0 + timedelta(days=n)).isoformat(), "top_up_id": None})

    events = [("AutopayEnabled", {"account_id": account, "provider": "sandbox", "method_masked": "****4242",
                                  "cap": "900.00"})]
    events += [paid(n) for n in range(6)]
    events += [("PromisedPaymentTaken", {"account_id": account, "promised_payment_id": f"pp-{account}",
                                         "amount": "300.00", "taken_at": T0.isoformat(),
                                         "due_at": (T0 + timedelta(days=3)).isoformat()}),
               paid(6),
               ("PromisedPaymentRepaid", {"account_id": account, "promised_payment_id": f"pp-{account}",
                                          "amount": "300.00", "outstanding": "0.00", "fully_repaid": True,
                                          "payment_id": payments[6]})]
    events += [paid(n) for n in range(7, 12)]
    events += [("PaymentReversed", {"account_id": account, "payment_id": payments[11], "amount": "450.00",
                                    "reason": "chargeback", "reversed_by": "operator:op-1"}),
               ("AutopayCharged", {"account_id": account, "period": "2026-06", "amount": "450.00"}),
               ("PaymentGuaranteeRegistered", {"account_id": account, "guarantee_id": f"g-{account}",
                                               "amount": "120.00", "pay_by": "2026-06-10", "invoice_ref": None,
                                               "registered_at": T0.isoformat()}),
               paid(12), paid(13)]
    return events[:PER_ACCOUNT]


async def fill_store(dsn: str) -> None:
    """The payments store: round n commits event n of every account in one statement."""
    await migrate(dsn, "payments")
    histories = {f"{100000 + a}": _history(f"{100000 + a}") for a in range(ACCOUNTS)}
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "payments"})
    try:
        for n in range(PER_ACCOUNT):
            rows = [(f"payment-account-{a}", "PaymentAccount", n + 1, uuid.uuid4(), h[n][0], 1, a,
                     json.dumps(h[n][1]), json.dumps({"correlation_id": str(uuid.uuid4()), "actor": "bench"}),
                     T0 + timedelta(minutes=n)) for a, h in histories.items()]
            await conn.execute(
                "INSERT INTO events (stream_id, stream_type, stream_version, event_id, event_type, schema_version,"
                " partition_key, payload, metadata, occurred_at) SELECT * FROM unnest($1::text[], $2::text[],"
                " $3::int[], $4::uuid[], $5::text[], $6::int[], $7::text[], $8::jsonb[], $9::jsonb[],"
                " $10::timestamptz[])", *zip(*rows, strict=True))
    finally:
        await conn.close()


async def raw_read(dsn: str, objects: bool) -> float:
    pool = await create_pool(dsn, "payments", max_size=2)
    try:
        store = EventStore(pool, registry)
        began = perf_counter()
        count = 0
        if objects:
            async for batch in store.iterate_all(CommitPosition(), batch=10_000):
                count += len(batch)
        else:
            after = CommitPosition()
            while rows := await store.read_for_replay(after, 10_000):
                count += len(rows)
                after = CommitPosition(int(rows[-1]["transaction_id"]), rows[-1]["global_position"])
        assert count == EVENTS, count
        return count / (perf_counter() - began)
    finally:
        await pool.close()


class OneByOne:
    """CabinetPayments without its bulk handlers."""

    def __init__(self) -> None:
        self.inner = CabinetPayments()
        self.name, self.topics = self.inner.name, self.inner.topics

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        await self.inner.apply(conn, event)


async def one_by_one(dsn: str) -> float:
    await apply_migrations(dsn, "gateway_one", discover(KERNEL_SQL, MIGRATIONS, prefixes=("kernel", "gateway")))
    source = await create_pool(dsn, "payments", max_size=2)
    target = await create_pool(dsn, "gateway_one", max_size=2)
    try:
        await target.execute("TRUNCATE cabinet_accounts, cabinet_payments, cabinet_promised_payments, cabinet_autopay,"
                             " cabinet_guarantees, projection_streams")
        store = EventStore(source, registry)
        began = perf_counter()
        applied = 0
        async for batch in store.iterate_all(CommitPosition(), batch=2000):
            events = [IncomingEvent.from_recorded("payments", e) for e in batch]
            applied += await apply_batch(target, OneByOne(), events)
        assert applied == EVENTS, applied
        return applied / (perf_counter() - began)
    finally:
        await source.close()
        await target.close()


async def run(dsn: str, progress: Any = print) -> RebuildFigures:
    progress(f"rebuild: filling a payments store with {EVENTS:,} events of {ACCOUNTS:,} accounts")
    await fill_store(dsn)
    await apply_migrations(dsn, "gateway", discover(KERNEL_SQL, MIGRATIONS, prefixes=("kernel", "gateway")))
    configure_logging("bench", "WARNING", "console")  # the per-event debug lines would dominate
    reads, objects, replays, rebuilds, walls, slow, ours, server = [], [], [], [], [], [], [], []
    load_before = os.getloadavg()[0]
    conn = await asyncpg.connect(dsn)
    try:
        postmaster = await postmaster_pid(conn)
    finally:
        await conn.close()
    for n in range(RUNS):
        progress(f"rebuild: run {n + 1}/{RUNS}")
        reads.append(await raw_read(dsn, objects=False))
        objects.append(await raw_read(dsn, objects=True))
        began, before = perf_counter(), snapshot(set(), postmaster)
        result = await rebuild_projection(dsn, CabinetPayments(), "gateway", MIGRATIONS)
        walls.append(EVENTS / (perf_counter() - began))
        after = snapshot(set(), postmaster)
        ours.append(after.own - before.own)
        if after.postgres is not None and before.postgres is not None:
            server.append(after.postgres - before.postgres)
        assert result["applied"] == EVENTS, result
        rebuilds.append(float(result["events_per_second"]))
        replays.append(float(result["replay_events_per_second"]))
    load_after = os.getloadavg()[0]
    progress("rebuild: the same events one by one")
    slow.append(await one_by_one(dsn))
    return RebuildFigures(EVENTS, ACCOUNTS, statistics.median(reads), statistics.median(objects),
                          statistics.median(replays), statistics.median(rebuilds),
                          statistics.median(walls), statistics.median(ours),
                          statistics.median(server) if server else None, statistics.median(slow),
                          (load_before, load_after))


def table(f: RebuildFigures) -> list[str]:
    from bench.report import _table, rate, ratio

    rows = [
        ["raw read: the rows a rebuild reads, 10,000 per round trip", rate(f.raw_read), "1.00"],
        ["  EventStore.read_all, 10,000 per round trip (RecordedEvent objects)", rate(f.read_all),
         ratio(f.read_all, f.raw_read)],
        ["replay into the scratch tables (bulk handlers, reads overlapping writes)", rate(f.replay),
         ratio(f.replay, f.raw_read)],
        ["  with the scratch schema made first (drop, migrations), to the swap", rate(f.rebuild),
         ratio(f.rebuild, f.raw_read)],
        ["  the whole command: migrations, rebuild, swap, drop", rate(f.rebuild_wall),
         ratio(f.rebuild_wall, f.raw_read)],
        ["one event at a time through apply (before; no bulk handlers)", rate(f.one_by_one),
         ratio(f.one_by_one, f.raw_read)],
    ]
    bound = f.events / max(f.cpu_ours, f.cpu_server or 0.0)
    cpu = (f"CPU per rebuild (migrations and swap included): ours {f.cpu_ours:.2f} s, PostgreSQL "
           + (f"{f.cpu_server:.2f} s" if f.cpu_server is not None else "not measurable (not on this machine)")
           + f"; events / max(ours, server) = {bound:,.0f} events/s with a core each, overlapped")
    verdict = "met" if f.replay >= GOAL else "NOT met"
    return [
        (f"Rebuild of gateway.cabinet_payments from a payments store of {f.events:,} events ({f.accounts:,}"
         f" accounts, 20 events each, 11 types); goal: the replay >= {GOAL:,} events/s: {verdict}"),
        *_table(["path", "events/s", "vs raw read"], rows),
        cpu,
        f"load average (1 min) {f.load[0]:.1f} before the runs, {f.load[1]:.1f} after, on {os.cpu_count()} CPUs",
    ]
