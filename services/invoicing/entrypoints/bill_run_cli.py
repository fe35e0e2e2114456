"""Run a bill run to the end in the foreground, printing its progress (operators; the service's
worker runs the same batches): `python -m services.invoicing.entrypoints.bill_run_cli 2026-11`.

Safe to stop at any moment, kill -9 included, and to start again, beside the service's own workers:
every batch commits with the run's cursor (application/bill_run.py)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import services.invoicing.domain.events  # noqa: F401  (registers the events)
from services.invoicing.adapters.wiring import load_rules, wire_invoicing
from services.invoicing.application.bill_run import bill_run_json, run_bill_run_batch, start_bill_run
from services.invoicing.domain.invoice import parse_period
from services.invoicing.settings import InvoicingSettings
from shared.clock import clock_for
from shared.db import create_pool
from shared.errors import DomainError
from shared.events import registry
from shared.eventstore import EventStore
from shared.logging import configure_logging
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from shared.settings import load_settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


async def main(period_text: str) -> int:
    settings = load_settings(InvoicingSettings)
    configure_logging("invoicing", settings.log_level, settings.log_format)
    period = parse_period(period_text)
    await apply_migrations(settings.database_url, "invoicing",
                           discover(KERNEL_SQL, MIGRATIONS, prefixes=("kernel", "invoicing")))
    pool = await create_pool(settings.database_url, "invoicing", max_size=2)
    clock = clock_for(settings.billing_env, settings.dev_clock_file)
    ctx = wire_invoicing(EventStore(pool, registry, "invoicing"), clock, settings.timezone,
                         load_rules(settings.charging_rules), settings)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await start_bill_run(ctx, conn, period, clock.now())
        while True:
            run = await run_bill_run_batch(ctx, period)
            if run is None:
                async with pool.acquire() as conn:
                    run = await ctx.bill_runs.status(conn, period)
                if run is not None and run.finished_at is not None:
                    print(f"bill run {period_text}: {bill_run_json(run)}", flush=True)
                    return 0
                await asyncio.sleep(0.5)  # another worker holds the run's batch
                continue
            print(f"bill run {period_text}: {run.done}/{run.accounts_total} accounts, {run.issued} invoices",
                  flush=True)
    finally:
        await pool.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m services.invoicing.entrypoints.bill_run_cli YYYY-MM")
    try:
        raise SystemExit(asyncio.run(main(sys.argv[1])))
    except DomainError as error:
        raise SystemExit(f"{error.code}: {error.detail}") from None
