"""A bounded part of the chaos drill (`make chaos` runs every fault): the payments service and
PostgreSQL killed with kill -9 under load, restarted, and every acknowledged payment found exactly
once in the store and in every read model, with balances equal to the store's sums."""

from __future__ import annotations

import pytest

from tests.chaos.harness import drill, table

pytestmark = pytest.mark.e2e


def test_kill_9_of_the_payments_service_and_of_postgresql_loses_and_duplicates_nothing() -> None:
    with drill(rate=10.0) as started:
        rows = [started.run(fault) for fault in ("payments", "postgres")]
    print(table(rows))
    for row in rows:
        assert row.acked > 0 and row.outage_answers > 0, row  # the load ran, and the fault bit
        assert row.clean, table(rows)
