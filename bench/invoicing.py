"""Invoicing at period scale, standalone (`python -m bench.invoicing [ACCOUNTS]`, default 5,000):
the month's charges posted for every account (the 1st's posting) and the bill run of the month
before (closing charges, an invoice each, numbered), beside a raw executemany INSERT of as many
invoice-sized rows. Its own database on the bench's PostgreSQL (dropped at the end); no Kafka
(the relay is measured by `make bench`)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import UTC, date, datetime
from time import perf_counter
from zoneinfo import ZoneInfo

import asyncpg

import services.invoicing.domain.events  # noqa: F401  (registers the events)
from bench.setup import ROOT
from services.invoicing.adapters.tables import PlansTable
from services.invoicing.adapters.wiring import wire_invoicing
from services.invoicing.application.bill_run import run_bill_run_batch, start_bill_run
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.domain.plan import AccountPlan, TariffTerm
from services.invoicing.domain.rules import ChargingRules
from services.invoicing.settings import CHARGING_RULES
from shared.clock import FakeClock
from shared.db import create_pool, quote_ident
from shared.devstack import database_dsn, resolve_postgres
from shared.events import registry
from shared.eventstore import EventStore
from shared.migrations import KERNEL_SQL, apply_migrations, discover

MINSK = ZoneInfo("Europe/Minsk")
MIGRATIONS = ROOT / "services" / "invoicing" / "migrations"


def _plan(n: int) -> AccountPlan:
    plan = AccountPlan(account_id=f"{100000 + n}")
    plan.open(date(2026, 1, 1), "prepaid")
    plan.add_line(f"l{n}", "internet", f"login{n}", f"Subscriber {n}", date(2026, 1, 1),
                  TariffTerm(from_day=date(2026, 1, 1), tariff_id="inet-50-1m", name="Unlimited 50",
                             monthly_fee=650, vat_rate=20))
    return plan


async def measure(dsn: str, accounts: int) -> None:
    await apply_migrations(dsn, "invoicing", discover(KERNEL_SQL, MIGRATIONS, prefixes=("kernel", "invoicing")))
    pool = await create_pool(dsn, "invoicing", max_size=4)
    clock = FakeClock(datetime(2026, 11, 1, 0, 5, tzinfo=MINSK))
    ctx = wire_invoicing(EventStore(pool, registry, "invoicing"), clock, MINSK, ChargingRules.load(CHARGING_RULES))
    ctx = type(ctx)(**{**ctx.__dict__, "posting_batch_size": 200, "bill_run_batch_size": 500})
    try:
        async with pool.acquire() as conn, conn.transaction():
            for n in range(accounts):
                await PlansTable().save(conn, _plan(n), clock.now())
            await ctx.queue.add_in_service(conn, date(2026, 11, 1), clock.now())
        began = perf_counter()
        while await drain_posting_queue(ctx):
            pass
        posting = perf_counter() - began
        clock.set(datetime(2026, 12, 1, 0, 5, tzinfo=MINSK))
        began = perf_counter()
        async with pool.acquire() as conn, conn.transaction():
            await start_bill_run(ctx, conn, date(2026, 11, 1), clock.now())
        while (run := await run_bill_run_batch(ctx, date(2026, 11, 1))) is not None and run.finished_at is None:
            pass
        billing = perf_counter() - began
        issued = await pool.fetchval("SELECT count(*) FROM invoices")
        await pool.execute("CREATE TABLE raw_rows (id text PRIMARY KEY, account_id text, total numeric,"
                           " at timestamptz)")
        began = perf_counter()
        async with pool.acquire() as conn:
            for start in range(0, accounts, 500):
                async with conn.transaction():
                    await conn.executemany("INSERT INTO raw_rows VALUES ($1, $2, $3, $4)",
                                           [(str(uuid.uuid4()), str(n), 650, datetime.now(UTC))
                                            for n in range(start, min(start + 500, accounts))])
        raw = perf_counter() - began
    finally:
        await pool.close()
    print(f"accounts {accounts}: posting the month {posting:.1f} s ({accounts / posting:,.0f} accounts/s);"
          f" bill run {billing:.1f} s ({issued} invoices, {issued / billing:,.0f}/s);"
          f" raw executemany INSERT of as many rows {raw:.2f} s ({accounts / raw:,.0f} rows/s)")


async def main(accounts: int) -> None:
    admin_dsn, _ = resolve_postgres(ROOT / ".run" / "bench-postgres")
    name = f"bench_invoicing_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
    try:
        await measure(database_dsn(admin_dsn, name), accounts)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
