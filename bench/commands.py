"""Commands end to end at a fixed offered load: the payments service's use cases (execute: load,
decide, append, idempotency) on its store, the relay to Kafka, the gateway's cabinet projection.

Open loop: command i is due at t0 + i/rate whatever happened before it, and its latencies are
measured from that due time, so a slow system shows as latency instead of quietly lowering the
load (no coordinated omission). "to cabinet" is until the gateway's projection has applied the
command's last event (what read-your-writes waits for), seen by one watcher polling
projection_streams every 2 ms. Promised payments go to fresh accounts (one each: a second would be
refused); payments go round a set of accounts. Beside them, raw single-row INSERT transactions on
an identical events table, measured in the same run (bench/eventstore.py).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

from faststream.kafka import KafkaBroker

import services.payments.domain.events  # noqa: F401  (registers the events)
from bench import eventstore
from bench.common import DURATION, SCALE
from bench.report import commands_table
from bench.setup import environment
from services.gateway.projections.cabinet_payments import CabinetPayments
from services.payments.adapters.providers import Providers
from services.payments.app import wire_payments
from services.payments.application.promised_payments import take_promised_payment
from services.payments.application.register_payment import register_payment
from services.payments.domain.account import PaymentRequest
from services.payments.projections.account_facts import AccountFactsProjection
from shared.clock import SystemClock
from shared.commands import CommandResult
from shared.consumer import ProjectionConsumer
from shared.db import Pool, create_pool
from shared.errors import DomainError
from shared.events import registry
from shared.eventstore import EventStore, Metadata
from shared.kafka import ensure_topics
from shared.logging import configure_logging
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from shared.projection import IncomingEvent, apply_batch
from shared.relay import Relay

__all__ = ["RATE", "SECONDS", "CommandFigures", "run"]

ROOT = Path(__file__).resolve().parent.parent
RATE = float(os.environ.get("BENCH_COMMAND_RATE", "200"))
SECONDS = max(2.0, 4.0 * SCALE)
PAYMENT_ACCOUNTS = 200
META = Metadata(correlation_id="bench-commands", actor="bench")


@dataclass
class CommandFigures:
    name: str
    offered: float
    sent: int
    refused: int = 0
    seconds: float = 0.0
    command_ms: list[float] = field(default_factory=list)
    cabinet_ms: list[float] = field(default_factory=list)

    @property
    def done_per_second(self) -> float:
        return len(self.command_ms) / self.seconds if self.seconds else 0.0


class CabinetWatcher:
    """Notices when the cabinet's projection has applied each command's last event."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.pending: dict[str, list[tuple[int, float]]] = {}
        self.latencies: list[float] = []

    def expect(self, stream_id: str, version: int, started: float) -> None:
        self.pending.setdefault(stream_id, []).append((version, started))

    async def poll_once(self) -> None:
        if not self.pending:
            return
        rows = await self.pool.fetch(
            "SELECT stream_id, stream_version FROM projection_streams WHERE projection = $1"
            " AND stream_id = ANY($2::text[])",
            CabinetPayments.name, list(self.pending),
        )
        now = perf_counter()
        for row in rows:
            waiting = self.pending.get(row["stream_id"], [])
            still = [(v, s) for v, s in waiting if v > row["stream_version"]]
            self.latencies.extend((now - s) * 1000 for v, s in waiting if v <= row["stream_version"])
            if still:
                self.pending[row["stream_id"]] = still
            else:
                self.pending.pop(row["stream_id"], None)

    async def drain(self, timeout: float = 30.0) -> None:
        deadline = perf_counter() + timeout
        while self.pending and perf_counter() < deadline:
            await self.poll_once()
            await asyncio.sleep(0.002)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.poll_once()
            await asyncio.sleep(0.002)


async def _open_loop(name: str, count: int, command: Callable[[int], Awaitable[CommandResult]],
                     watcher: CabinetWatcher) -> CommandFigures:
    figures = CommandFigures(name, RATE, count)
    start = perf_counter()
    watcher.latencies = []

    async def one(i: int) -> None:
        due = start + i / RATE
        await asyncio.sleep(max(0.0, due - perf_counter()))
        try:
            result = await command(i)
        except DomainError:
            figures.refused += 1
            return
        figures.command_ms.append((perf_counter() - due) * 1000)
        watcher.expect(result.stream_id, result.stream_version, due)

    await asyncio.gather(*(one(i) for i in range(count)))
    figures.seconds = perf_counter() - start
    await watcher.drain()
    figures.cabinet_ms = list(watcher.latencies)
    return figures


async def _schema(dsn: str, name: str) -> Pool:
    folder = ROOT / "services" / name / "migrations"
    await apply_migrations(dsn, name, discover(KERNEL_SQL, folder, prefixes=("kernel", name)))
    return await create_pool(dsn, name, min_size=4, max_size=20)


async def _open_accounts(pool: Pool, ids: list[str]) -> None:
    """Accounts' facts for the promised payments, through the payments service's own projection."""
    opened = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
    for first in range(0, len(ids), 500):
        events = []
        for account in ids[first:first + 500]:
            for version, (kind, extra) in enumerate(
                [("AccountOpened", {"client_id": f"c-{account}", "payment_form": "prepaid",
                                    "opened_at": opened.isoformat(), "opening_balance": "-10.00"}),
                 ("ServiceLineAdded", {"line_id": f"l-{account}", "monthly_fee": "25.00"})], start=1):
                events.append(IncomingEvent(str(uuid.uuid4()), "/billing/accounts", kind, 1, f"account-{account}",
                                            version, None, account, opened, {"account_id": account, **extra}))
        await apply_batch(pool, AccountFactsProjection(), events)


async def run(dsn: str, bootstrap: str) -> tuple[list[CommandFigures], dict[int, float]]:
    configure_logging("bench", "WARNING", "console")  # the services' per-event debug lines would dominate
    payments_pool, gateway_pool = await _schema(dsn, "payments"), await _schema(dsn, "gateway")
    clock = SystemClock()
    ctx = wire_payments(EventStore(payments_pool, registry), clock, ZoneInfo("Europe/Minsk"), Providers())
    count = int(RATE * SECONDS)
    run_id = uuid.uuid4().hex[:6]
    promised_accounts = [f"pp{run_id}-{i}" for i in range(count + 20)]
    await _open_accounts(payments_pool, promised_accounts)
    topic = CabinetPayments.topics[0]
    await ensure_topics(bootstrap, [topic, f"{topic}.dlq"])
    stop = asyncio.Event()
    relay = Relay(ctx.store, "payments", bootstrap)
    broker = KafkaBroker(bootstrap, logger=None)  # as the services' (shared.service.new_broker)
    ProjectionConsumer(gateway_pool, CabinetPayments()).attach(broker)
    watcher = CabinetWatcher(gateway_pool)
    tasks = [asyncio.create_task(relay.run(stop))]
    await broker.start()

    def take(i: int) -> Awaitable[CommandResult]:
        return take_promised_payment(ctx, promised_accounts[i], Decimal("25.00"), META)

    def pay(i: int) -> Awaitable[CommandResult]:
        request = PaymentRequest(f"pay{run_id}-{i % PAYMENT_ACCOUNTS}", Decimal("10.00"), "card",
                                 f"bench-{run_id}-{i}", clock.now())
        return register_payment(ctx.store, clock, request, META)

    try:
        tasks.append(asyncio.create_task(watcher.run(stop)))
        # Warm up until the cabinet applies commands (relay started, consumer joined its group).
        warm = [await take(count + i) for i in range(20)]
        for result in warm:
            watcher.expect(result.stream_id, result.stream_version, perf_counter())
        await watcher.drain(60)
        # One second at the offered rate, not measured: the pools open their connections first.
        await _open_loop("warm-up", int(RATE), lambda i: pay(count + i), watcher)
        await watcher.drain(60)
        figures = [await _open_loop("take promised payment", count, take, watcher),
                   await _open_loop("register payment", count, pay, watcher)]
    finally:
        stop.set()
        await broker.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await payments_pool.close()
        await gateway_pool.close()
    targets = await eventstore.open_targets(dsn)
    try:
        raw = {writers: (await eventstore.measure("insert", targets, writers, 1, DURATION)).rate
               for writers in (1, 8)}
    finally:
        await targets.close()
    return figures, raw


async def _main() -> None:
    async with environment() as env:
        figures, raw = await run(env.dsn, env.bootstrap)
    print("\n".join(commands_table(figures, raw, RATE, SECONDS)))


if __name__ == "__main__":  # `python -m bench.commands`: this benchmark alone
    asyncio.run(_main())
