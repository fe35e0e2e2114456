"""A bill run killed with kill -9 in the middle of a batch and started again invoices every account
exactly once, with gapless numbers: a real process (the bill-run CLI) on a real PostgreSQL.

The test holds the run in the middle of its third batch (an uncommitted event of its own on the
stream of an account in that batch makes the batch's append wait), kills the process with SIGKILL
there, lets go, and runs the CLI again to the end."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from typing import Any

from services.invoicing.application.context import Invoicing
from tests.eventually import eventually
from tests.invoicing.factories import ROOT, at, feed_facts, opened_isp_account

ACCOUNTS = [f"{1000 + n}" for n in range(23)]


def _cli(database_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "BILLING_ENV": "test",
           "BILL_RUN_BATCH_SIZE": "5", "LOG_FORMAT": "json", "LOG_LEVEL": "WARNING", "DEV_CLOCK_FILE": ""}
    return subprocess.Popen([sys.executable, "-m", "services.invoicing.entrypoints.bill_run_cli", "2026-11"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


async def _waiting_on_a_lock(invoicing: Invoicing) -> bool:
    return bool(await invoicing.pool.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"))


async def test_a_bill_run_killed_mid_batch_and_started_again_invoices_every_account_exactly_once(
        invoicing: Invoicing, database_url: str) -> None:
    for account_id in ACCOUNTS:
        await feed_facts(invoicing.pool, opened_isp_account(account_id, at("2026-10-15")))
    blocker = await invoicing.pool.acquire()
    holding = blocker.transaction()
    await holding.start()
    await blocker.execute(  # the third batch (1010..1014), decided, waits at its append on 1012's stream
        "INSERT INTO events (stream_id, stream_type, stream_version, event_id, event_type, schema_version,"
        " payload, metadata, occurred_at) VALUES ('charges-1012', 'charges', 1, $1, 'FeesForecast', 1, $2, $3, now())",
        uuid.uuid4(), {"account_id": "1012"}, {})
    first = _cli(database_url)
    try:
        await eventually(lambda: _waiting_on_a_lock(invoicing), timeout=60)
        first.send_signal(signal.SIGKILL)
        output, _ = first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        await holding.rollback()
        await invoicing.pool.release(blocker)
    assert first.returncode == -signal.SIGKILL
    assert "10/23 accounts" in output and "15/23" not in output
    killed_at: Any = await invoicing.pool.fetchrow("SELECT done, issued, finished_at FROM bill_runs")
    assert (killed_at["done"], killed_at["issued"], killed_at["finished_at"]) == (10, 10, None)

    second = _cli(database_url)
    output, _ = await asyncio.to_thread(second.communicate, timeout=120)
    assert second.returncode == 0, output
    rows = await invoicing.pool.fetch("SELECT account_id, seq FROM invoices ORDER BY seq")
    assert sorted(r["account_id"] for r in rows) == ACCOUNTS
    assert [r["seq"] for r in rows] == list(range(1, len(ACCOUNTS) + 1))
    assert await invoicing.pool.fetchval(
        "SELECT count(*) FROM events WHERE event_type = 'InvoiceIssued'") == len(ACCOUNTS)
    finished = await invoicing.pool.fetchrow("SELECT done, issued, finished_at FROM bill_runs")
    assert (finished["done"], finished["issued"]) == (23, 23) and finished["finished_at"] is not None
