"""The ops CLI reaches each service's store in that service's own database (production keeps one
database per service): `--dsn SERVICE=URL`, else `<SERVICE>_DATABASE_URL`, else DATABASE_URL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from shared.db import create_pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from shared.ops.cli import main
from shared.ops.databases import DEV_DATABASE_URL, dsn_for, parse_dsn_options, redacted, service_databases
from shared.ops.inspect import positions
from shared.ops.rebuild import rebuild_projection
from tests.conftest import fresh_database
from tests.shared.kafka_helpers import append_increments
from tests.shared.ops.test_rebuild_and_positions import Totals

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def payments_database_url(pg_admin_dsn: str) -> AsyncIterator[str]:
    """A second fresh database, made as tests/conftest.py's `database_url` makes the first."""
    async with fresh_database(pg_admin_dsn) as dsn:
        yield dsn


async def _store_with(dsn: str, schema: str, stream_id: str, events: int) -> None:
    await apply_migrations(dsn, schema, discover(KERNEL_SQL, prefixes=("kernel",)))
    pool = await create_pool(dsn, schema, max_size=2)
    try:
        await append_increments(EventStore(pool, registry), stream_id, events)
    finally:
        await pool.close()


@pytest.fixture
async def split_databases(database_url: str, payments_database_url: str) -> tuple[str, str]:
    """Accounts (2 events) in the first database, payments (3) in the second; and in the first a
    stale `payments` schema (7 events), as left behind by a move to one database per service."""
    await _store_with(database_url, "accounts", "acc-1", 2)
    await _store_with(payments_database_url, "payments", "payment-account-1", 3)
    await _store_with(database_url, "payments", "payment-account-1", 7)
    return database_url, payments_database_url


async def test_positions_read_each_services_schema_from_its_own_database(
    split_databases: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts_db, payments_db = split_databases
    monkeypatch.setenv("DATABASE_URL", accounts_db)
    monkeypatch.setenv("PAYMENTS_DATABASE_URL", payments_db)
    monkeypatch.delenv("ACCOUNTS_DATABASE_URL", raising=False)

    report = await positions(service_databases())

    stores = {r["name"]: (r["head"], r["database"]) for r in report if r["kind"] == "store"}
    assert stores == {"accounts": (2, redacted(accounts_db)), "payments": (3, redacted(payments_db))}


async def test_the_dsn_option_overrides_the_environment(split_databases: tuple[str, str]) -> None:
    accounts_db, payments_db = split_databases
    # The stale copy by the environment, the right one by the option: `billing` as ops run it.
    environ = {**os.environ, "DATABASE_URL": accounts_db, "PAYMENTS_DATABASE_URL": accounts_db}
    command = [sys.executable, "-m", "shared.ops", "--dsn", f"payments={payments_db}",
               "stream", "payments", "payment-account-1"]

    done = await asyncio.to_thread(subprocess.run, command, cwd=ROOT, env=environ, capture_output=True,
                                   text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["version"] for line in done.stdout.splitlines()] == [1, 2, 3]


def test_each_service_falls_back_to_database_url_then_the_dev_stack() -> None:
    environ = {"DATABASE_URL": "postgresql://db/all", "PAYMENTS_DATABASE_URL": "postgresql://db/payments"}
    assert dsn_for("payments", environ=environ) == "postgresql://db/payments"
    assert dsn_for("gateway", environ=environ) == "postgresql://db/all"
    assert dsn_for("notifications", environ={}, stack={}) == DEV_DATABASE_URL
    running = {"DATABASE_URL": "postgresql://postgres:@/billing?host=/x/.run/pgdata"}
    assert dsn_for("notifications", environ={}, stack=running) == running["DATABASE_URL"]
    given = parse_dsn_options(["payments=postgresql://other/payments"])
    assert dsn_for("payments", given, environ) == "postgresql://other/payments"
    assert set(service_databases(environ=environ)) == {
        "accounts", "payments", "invoicing", "telephony", "notifications", "gateway"}


@pytest.mark.parametrize("option", ["paymnts=postgresql://db/p", "payments", "payments="])
def test_a_bad_dsn_option_is_refused(option: str) -> None:
    with pytest.raises(ValueError, match="--dsn"):
        parse_dsn_options([option])
    with pytest.raises(SystemExit):
        main(["--dsn", option, "positions"])


def test_printed_database_urls_carry_no_credentials() -> None:
    assert redacted("postgresql://billing:s3cret@db.internal:5432/billing_payments?sslmode=require") == (
        "db.internal:5432/billing_payments")


async def test_a_rebuild_reads_its_source_store_from_that_services_database(
    database_url: str, payments_database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "001_totals.sql").write_text("CREATE TABLE totals (account_id text PRIMARY KEY, total bigint)")
    await _store_with(payments_database_url, "counting", "acc-1", 3)  # the source, in its own database
    await apply_migrations(database_url, "ledger", discover(KERNEL_SQL, tmp_path, prefixes=("kernel", "ledger")))

    result = await rebuild_projection(database_url, Totals(), "ledger", tmp_path,
                                      source_databases={"counting": payments_database_url})

    assert result["applied"] == 3
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT total FROM ledger.totals WHERE account_id = 'acc-1'") == 3
    finally:
        await conn.close()


def test_a_running_dev_stack_is_found_by_its_stack_file(tmp_path: Path) -> None:
    from shared.ops.databases import dev_stack

    stack_file = tmp_path / "stack.env"
    assert dev_stack(stack_file) == {}
    stack_file.write_text("DATABASE_URL=postgresql://postgres:@/billing?host=/x\nKAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092\n")
    assert dev_stack(stack_file) == {"DATABASE_URL": "postgresql://postgres:@/billing?host=/x",
                                     "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092"}
