"""Telephony at switch scale, standalone (`python -m bench.telephony [CDRS] [RERATE_CDRS]`, default
200,000 and 1,000,000): CDRs rated and stored per second through the real ingestion path (checks,
duplicate check, bundle locks, rating, COPY into calls, usage queued), beside a raw COPY of the
same rows into a table like `calls` (its key and index); prefix lookups per second against a 10,000-prefix plan; and the
re-rating of a month of RERATE_CDRS calls. Its own database on the bench's PostgreSQL (dropped at
the end); no Kafka.

The machine is shared, so wall-clock rates move with its load: beside them the bench prints the load
average and the CPU time spent per 1,000 CDRs, in this process and in the PostgreSQL backends serving
it (from /proc, when the server runs on this machine), which depend far less on the load. On an idle
machine with two cores, the rate is about 1,000 / (client + server ms) per second (one batch at a
time: the client waits for the server)."""

from __future__ import annotations

import asyncio
import gc
import os
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from time import perf_counter, process_time
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

import services.telephony.domain.events  # noqa: F401  (registers the events)
from bench.setup import ROOT
from services.telephony.adapters.switch import DevSipSwitch
from services.telephony.adapters.wiring import wire_telephony
from services.telephony.application.ingest import CALL_COLUMNS, ingest
from services.telephony.application.rerate import rerate_period
from services.telephony.domain.rating import PlanTerms, RatingPlans
from services.telephony.settings import RATING_PLANS
from shared.clock import FakeClock
from shared.db import create_pool, quote_ident
from shared.devstack import database_dsn, resolve_postgres
from shared.events import registry
from shared.eventstore import EventStore
from shared.migrations import KERNEL_SQL, apply_migrations, discover

MINSK = ZoneInfo("Europe/Minsk")
MIGRATIONS = ROOT / "services" / "telephony" / "migrations"
LINES = 2000
BATCH = 5000
MONTH_START = datetime(2026, 10, 1, tzinfo=MINSK)


class _Nowhere:
    async def post_usage(self, account_id: str, body: dict[str, Any], idempotency_key: str) -> None:
        raise AssertionError("the bench posts no usage")


def _number(n: int) -> str:
    return f"37529{1000000 + n:07d}"


def _cdrs(count: int, first: int, rng: random.Random) -> list[dict[str, Any]]:
    others = ("375331234567", "375291234567", "375447654321", "375256667788", "102")
    seconds = 30 * 24 * 3600
    items = [{"origin": "bench", "call_id": f"c{first + n}", "kind": "call", "caller": _number(rng.randrange(LINES)),
             "callee": rng.choice(others), "started_at": (MONTH_START + timedelta(seconds=rng.randrange(seconds)))
             .isoformat(), "duration_s": rng.randrange(0, 900)} for n in range(count)]
    items.sort(key=lambda c: c["started_at"])  # as a switch writes them: in the order calls end, about
    return items


async def _lines(pool: asyncpg.Pool) -> None:
    tariffs = [{"from_day": "2026-01-01", "tariff_id": "mobile-business", "name": "Бизнес Безлимит"}]
    await pool.executemany(
        "INSERT INTO lines (line_id, account_id, kind, identifier, subscriber_name, tariffs, changed_at)"
        " VALUES ($1, $2, 'mobile', $3, $4, $5, now())",
        [(f"m{n}", f"{100000 + n // 5}", _number(n), f"Subscriber {n}", tariffs) for n in range(LINES)])


async def _server_cpu(pool: asyncpg.Pool) -> float:
    """CPU seconds the database's backends have used so far (0 where /proc does not show them)."""
    return _cpu_seconds([r["pid"] for r in await pool.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")])


def _cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


class _Cpu:
    """Client and server CPU time over a phase, in ms per 1,000 items."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def start(self) -> None:
        self.client, self.server = process_time(), await _server_cpu(self.pool)

    async def per_thousand(self, items: int) -> str:
        client, server = process_time() - self.client, await _server_cpu(self.pool) - self.server
        return f"CPU per 1,000: client {client * 1e6 / items:.0f} ms, server {server * 1e6 / items:.0f} ms"


def lookups_per_second(count: int = 500_000) -> float:
    rng = random.Random(7)
    prefixes = {"": "international", "375": "off-net"}
    while len(prefixes) < 10_000:
        prefixes[f"375{rng.randrange(10, 99)}{rng.randrange(10 ** rng.randrange(1, 5))}"] = rng.choice(
            ("on-net", "off-net"))
    plan = PlanTerms.model_validate({"destinations": prefixes, "classes": {
        name: {"label": name, "per_minute": {"working": "0.1", "non_working": "0.1", "weekend": "0.1"}}
        for name in ("on-net", "off-net", "international")}})
    numbers = [f"375{rng.randrange(10, 99)}{rng.randrange(10 ** 7):07d}" for _ in range(count)]
    began = perf_counter()
    for number in numbers:
        plan.destination(number)
    return count / (perf_counter() - began)


async def measure(dsn: str, cdrs: int, rerate_cdrs: int) -> None:
    await apply_migrations(dsn, "telephony", discover(KERNEL_SQL, MIGRATIONS, prefixes=("kernel", "telephony")))
    pool = await create_pool(dsn, "telephony", max_size=4)
    clock = FakeClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    ctx = wire_telephony(EventStore(pool, registry, "telephony"), clock, MINSK, RatingPlans.load(RATING_PLANS),
                         _Nowhere(), DevSipSwitch())
    rng = random.Random(4)
    try:
        await _lines(pool)
        items = _cdrs(cdrs, 0, rng)
        # The bench holds every CDR it sends (a consumer holds one batch at a time): frozen, they are not
        # scanned again by every full collection of the rating's garbage collector (a quarter of its time).
        gc.collect()
        gc.freeze()
        await ingest(ctx, _cdrs(BATCH, 10 ** 9, rng), "bench")  # warm-up
        cpu = _Cpu(pool)
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (cores: {os.cpu_count()})", flush=True)
        await cpu.start()
        began = perf_counter()
        for start in range(0, cdrs, BATCH):
            await ingest(ctx, items[start:start + BATCH], "bench")
        rated = perf_counter() - began
        rated_cpu = await cpu.per_thousand(cdrs)
        stored = await pool.fetchval("SELECT count(*) FROM calls")
        await cpu.start()
        began = perf_counter()
        for start in range(0, cdrs, BATCH):
            await ingest(ctx, items[start:start + BATCH], "bench")
        repeated = perf_counter() - began
        repeated_cpu = await cpu.per_thousand(cdrs)
        await pool.execute("CREATE TABLE raw_calls (LIKE calls INCLUDING ALL)")  # its key and index too
        records = [(c["origin"], c["call_id"], "out", "100000", "m0", "call", c["caller"], c["callee"],
                    datetime.fromisoformat(c["started_at"]), c["duration_s"], "off-net", "working", "off-net-out",
                    60, 0, Decimal("0.1200")) for c in items]
        await cpu.start()
        began = perf_counter()
        async with pool.acquire() as conn:
            for start in range(0, cdrs, BATCH):
                await conn.copy_records_to_table("raw_calls", records=records[start:start + BATCH],
                                                 columns=list(CALL_COLUMNS))
        raw = perf_counter() - began
        raw_cpu = await cpu.per_thousand(cdrs)
        print(f"CDRs {cdrs:,} ({stored:,} stored): rated and stored {cdrs / rated:,.0f}/s ({rated:.1f} s; {rated_cpu});"
              f" the same batches again, all duplicates, {cdrs / repeated:,.0f}/s ({repeated_cpu});"
              f" raw COPY of the same rows {cdrs / raw:,.0f} rows/s ({raw:.2f} s; {raw_cpu})", flush=True)
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        print(f"prefix lookups against a 10,000-prefix plan: {lookups_per_second():,.0f}/s", flush=True)
        extra = rerate_cdrs - cdrs
        for start in range(0, max(0, extra), BATCH):
            await ingest(ctx, _cdrs(min(BATCH, extra - start), 2 * 10 ** 9 + start, rng), "bench")
        month = await pool.fetchval("SELECT count(*) FROM calls WHERE started_at >= $1 AND started_at < $2",
                                    MONTH_START, MONTH_START + timedelta(days=31))
        plans = ctx.plans
        off_net = plans.plans["mobile-business"].classes["off-net"]
        cheaper = off_net.model_copy(update={"per_minute": {k: v / 2 for k, v in off_net.per_minute.items()}})
        corrected = plans.model_copy(update={"plans": {**plans.plans, "mobile-business": plans.plans[
            "mobile-business"].model_copy(update={"classes": {**plans.plans["mobile-business"].classes,
                                                              "off-net": cheaper}})}})
        began = perf_counter()
        result = await rerate_period(type(ctx)(**{**ctx.__dict__, "plans": corrected}), MONTH_START.date())
        rerating = perf_counter() - began
        print(f"re-rating October: {month:,} calls in {rerating:.1f} s ({month / rerating:,.0f} calls/s;"
              f" {result.changed:,} changed, {result.usage_lines:,} usage lines queued)", flush=True)
    finally:
        await pool.close()


async def main(cdrs: int, rerate_cdrs: int) -> None:
    admin_dsn, _ = resolve_postgres(ROOT / ".run" / "bench-postgres")
    name = f"bench_telephony_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
    try:
        await measure(database_dsn(admin_dsn, name), cdrs, rerate_cdrs)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
        await admin.close()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(args[0] if args else 200_000, args[1] if len(args) > 1 else 1_000_000))
