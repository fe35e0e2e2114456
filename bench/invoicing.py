"""Invoicing at period scale (`python -m bench.invoicing [ACCOUNTS [BILL_RUN_ACCOUNTS]]`, defaults
5,000 and 100,000; `make bench` runs it with BENCH_INVOICING_ACCOUNTS and BENCH_BILL_RUN_ACCOUNTS):
the month's charges posted for ACCOUNTS accounts (the 1st's posting) and the bill run of the month
before (closing charges, an invoice each, numbered, without documents); then, in a database of its
own, a bill run of BILL_RUN_ACCOUNTS accounts whose month nobody posted before (the run posts each
month's charges and issues the invoice); beside a raw executemany INSERT and a raw COPY of ACCOUNTS
invoice-sized rows, and the load average (the machine is shared: compare figures taken under the
same load); then documents: PDF invoices per second on one core (a one-page Cyrillic invoice, seed
004's lines, ReportLab) and XLSX rows per second (XlsxWriter, constant memory). Databases of its own
on the bench's PostgreSQL (dropped at the end); no Kafka (the relay is measured by `make bench`)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from time import perf_counter
from zoneinfo import ZoneInfo

import asyncpg

import services.invoicing.domain.events  # noqa: F401  (registers the events)
from bench.setup import ROOT
from services.invoicing.adapters.documents import render_pdf, render_xlsx
from services.invoicing.adapters.tables import PlansTable
from services.invoicing.adapters.wiring import wire_invoicing
from services.invoicing.application.bill_run import run_bill_run_batch, start_bill_run
from services.invoicing.application.context import Invoicing
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.domain.document import DocumentRow, DocumentSubscriber, InvoiceDocument
from services.invoicing.domain.plan import AccountPlan, TariffTerm
from services.invoicing.domain.proration import Figures
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


def _document(rows: int) -> InvoiceDocument:
    """An invoice of `rows` charge lines over subscribers of 5 lines each, in Russian."""
    lines = []
    for n in range(rows):
        figures = Figures(Decimal("46.2867") + n % 7, Decimal("11.5717"), Decimal(0))
        lines.append(DocumentRow(f"План SIP-соединение {n % 28 + 1}", Decimal(25), figures))
    subscribers = tuple(
        DocumentSubscriber(f"37517{n:07d}", f"Альфа-Телеком, абонент {n}", tuple(lines[n:n + 5]),
                           Figures(sum((r.figures.net for r in lines[n:n + 5]), Decimal(0)),
                                   sum((r.figures.vat for r in lines[n:n + 5]), Decimal(0))))
        for n in range(0, rows, 5))
    totals = Figures(sum((s.totals.net for s in subscribers), Decimal(0)),
                     sum((s.totals.vat for s in subscribers), Decimal(0)))
    return InvoiceDocument("inv-3003-2021-05", "INV-2021-000001", "3003", date(2021, 5, 1), date(2021, 6, 1),
                           date(2021, 6, 10), "postpaid", subscribers, totals)


def documents(seconds: float = 5.0, xlsx_rows: int = 100_000) -> dict[str, float]:
    """PDF documents/s on one core (one page: 10 lines of 2 subscribers) and XLSX rows/s."""
    page = _document(10)
    render_pdf(page)  # fonts and caches warm
    made, began = 0, perf_counter()
    while perf_counter() - began < seconds:
        render_pdf(page)
        made += 1
    pdf_elapsed = perf_counter() - began
    big = _document(xlsx_rows)
    began = perf_counter()
    size = len(render_xlsx(big))
    xlsx_elapsed = perf_counter() - began
    return {"pdf_per_s": made / pdf_elapsed, "pdf_ms": 1000 * pdf_elapsed / made, "pdf_bytes": len(render_pdf(page)),
            "xlsx_rows": xlsx_rows, "xlsx_s": xlsx_elapsed, "xlsx_rows_per_s": xlsx_rows / xlsx_elapsed,
            "xlsx_bytes": size}


async def _invoicing(dsn: str, accounts: int, clock: FakeClock) -> Invoicing:
    """The service's context on a migrated database with `accounts` plans (one internet line each)."""
    await apply_migrations(dsn, "invoicing", discover(KERNEL_SQL, MIGRATIONS, prefixes=("kernel", "invoicing")))
    pool = await create_pool(dsn, "invoicing", max_size=4)
    ctx = wire_invoicing(EventStore(pool, registry, "invoicing"), clock, MINSK, ChargingRules.load(CHARGING_RULES))
    ctx = type(ctx)(**{**ctx.__dict__, "posting_batch_size": 200, "bill_run_batch_size": 500})
    async with pool.acquire() as conn, conn.transaction():
        for n in range(accounts):
            await PlansTable().save(conn, _plan(n), clock.now())
    return ctx


async def _bill_run(ctx: Invoicing, clock: FakeClock) -> tuple[float, int]:
    """November's bill run on 1 December, to the end: its seconds and invoices."""
    clock.set(datetime(2026, 12, 1, 0, 5, tzinfo=MINSK))
    began = perf_counter()
    async with ctx.pool.acquire() as conn, conn.transaction():
        await start_bill_run(ctx, conn, date(2026, 11, 1), clock.now())
    while (run := await run_bill_run_batch(ctx, date(2026, 11, 1))) is not None and run.finished_at is None:
        pass
    return perf_counter() - began, int(await ctx.pool.fetchval("SELECT count(*) FROM invoices"))


async def measure_unposted(dsn: str, accounts: int) -> dict[str, float]:
    """A bill run of accounts whose month nobody posted: the run posts it and issues the invoice."""
    clock = FakeClock(datetime(2026, 11, 1, 0, 5, tzinfo=MINSK))
    ctx = await _invoicing(dsn, accounts, clock)
    try:
        seconds, issued = await _bill_run(ctx, clock)
        posted = await ctx.pool.fetchval("SELECT count(*) FROM charge_lines")
    finally:
        await ctx.pool.close()
    return {"unposted_bill_run_s": seconds, "unposted_issued": issued, "unposted_lines": posted}


async def measure(dsn: str, accounts: int) -> dict[str, float]:
    clock = FakeClock(datetime(2026, 11, 1, 0, 5, tzinfo=MINSK))
    ctx = await _invoicing(dsn, accounts, clock)
    pool = ctx.pool
    try:
        async with pool.acquire() as conn, conn.transaction():
            await ctx.queue.add_in_service(conn, date(2026, 11, 1), clock.now())
        began = perf_counter()
        while await drain_posting_queue(ctx):
            pass
        posting = perf_counter() - began
        billing, issued = await _bill_run(ctx, clock)
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
        await pool.execute("TRUNCATE raw_rows")
        began = perf_counter()
        async with pool.acquire() as conn:
            await conn.copy_records_to_table("raw_rows", records=[
                (str(uuid.uuid4()), str(n), 650, datetime.now(UTC)) for n in range(accounts)])
        copied = perf_counter() - began
    finally:
        await pool.close()
    return {"accounts": accounts, "posting_s": posting, "bill_run_s": billing, "issued": issued,
            "insert_s": raw, "copy_s": copied}


def lines(figures: dict[str, float], docs: dict[str, float]) -> list[str]:
    n = figures["accounts"]
    unposted = figures["unposted_bill_run_s"]
    return [
        f"Invoicing, {n:,.0f} accounts (one internet line each; load average {figures['load_before']:.1f}"
        f" before, {figures['load_after']:.1f} after, on {os.cpu_count()} cores)",
        f"  posting the month's charges {figures['posting_s']:.1f} s ({n / figures['posting_s']:,.0f} accounts/s)",
        f"  bill run (closing charges, events, invoices, gapless numbers; no documents) {figures['bill_run_s']:.1f} s"
        f" ({figures['issued']:,.0f} invoices, {figures['issued'] / figures['bill_run_s']:,.0f}/s)",
        f"  bill run of {figures['unposted_issued']:,.0f} accounts whose month nobody posted (the run posts it:"
        f" {figures['unposted_lines']:,.0f} lines) {unposted:.1f} s ({figures['unposted_issued'] / unposted:,.0f}"
        f" invoices/s; goal: 100,000 in < 60 s)",
        f"  raw executemany INSERT of as many rows {figures['insert_s']:.2f} s ({n / figures['insert_s']:,.0f} rows/s),"
        f" raw COPY {figures['copy_s']:.2f} s ({n / figures['copy_s']:,.0f} rows/s)",
        f"  100,000 accounts at these rates: bill run ~{100_000 * figures['bill_run_s'] / n:.0f} s"
        f" (~{100_000 * unposted / figures['unposted_issued']:.0f} s posting the month itself;"
        f" posting ~{100_000 * figures['posting_s'] / n:.0f} s)",
        f"  PDF documents (one page, Cyrillic, ReportLab) on one core: {docs['pdf_per_s']:,.1f}/s"
        f" ({docs['pdf_ms']:.1f} ms each, {docs['pdf_bytes'] / 1024:.0f} KiB with the font subset)",
        f"  XLSX (XlsxWriter, constant memory): {docs['xlsx_rows']:,.0f} rows in {docs['xlsx_s']:.1f} s"
        f" ({docs['xlsx_rows_per_s']:,.0f} rows/s, {docs['xlsx_bytes'] / 1e6:.1f} MB)",
    ]


#: Accounts of the bill run that posts each month itself: issue 11's goal is 100,000 in under 60 s.
BILL_RUN_ACCOUNTS = int(os.environ.get("BENCH_BILL_RUN_ACCOUNTS", "100000"))


async def run(admin_dsn: str, accounts: int, bill_run_accounts: int = BILL_RUN_ACCOUNTS) -> list[str]:
    """The section's lines, measured in a database of its own on `admin_dsn`'s server: the posting
    and the bill run after it for `accounts` (posting goes account by account: 100,000 would take
    minutes), the bill run that posts the month itself for `bill_run_accounts`."""
    load_before = os.getloadavg()[0]
    figures = await _in_own_database(admin_dsn, measure, accounts)
    figures |= await _in_own_database(admin_dsn, measure_unposted, bill_run_accounts)
    figures |= {"load_before": load_before, "load_after": os.getloadavg()[0]}
    return lines(figures, documents())


async def _in_own_database(admin_dsn: str, measured: Callable[[str, int], Awaitable[dict[str, float]]],
                           accounts: int) -> dict[str, float]:
    name = f"bench_invoicing_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
    try:
        return await measured(database_dsn(admin_dsn, name), accounts)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
        await admin.close()


async def main(accounts: int, bill_run_accounts: int) -> None:
    admin_dsn, _ = resolve_postgres(ROOT / ".run" / "bench-postgres")
    print("\n".join(await run(admin_dsn, accounts, bill_run_accounts)))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000,
                     int(sys.argv[2]) if len(sys.argv) > 2 else BILL_RUN_ACCOUNTS))
