"""Ops: rebuilding a projection from the stores swaps in exactly the truth; positions report lag."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.db import Connection, Pool, create_pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.gaps import give_up_overdue
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from shared.ops.cli import main
from shared.ops.inspect import positions
from shared.ops.rebuild import rebuild_projection
from shared.projection import IncomingEvent, apply_batch
from tests.shared.kafka_helpers import append_increments


class Totals:
    name = "ledger.totals"
    topics = ("billing.counting.events",)
    tables = ("totals",)

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        await conn.execute(
            "INSERT INTO totals (account_id, total) VALUES ($1, $2) ON CONFLICT (account_id)"
            " DO UPDATE SET total = totals.total + excluded.total",
            event.payload["account_id"], int(event.payload["by"]),
        )


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    (tmp_path / "001_totals.sql").write_text("CREATE TABLE totals (account_id text PRIMARY KEY, total bigint)")
    return tmp_path


async def test_rebuild_replaces_a_damaged_read_model_with_the_stores_truth(database_url: str, migrations: Path) -> None:
    await apply_migrations(database_url, "counting", discover(KERNEL_SQL, prefixes=("kernel",)))
    await apply_migrations(database_url, "ledger", discover(KERNEL_SQL, migrations, prefixes=("kernel", "ledger")))
    source = await create_pool(database_url, "counting")
    live = await create_pool(database_url, "ledger")
    try:
        store = EventStore(source, registry)
        await append_increments(store, "acc-1", 3)
        await append_increments(store, "acc-2", 2, by=5)
        events = [IncomingEvent.from_recorded("counting", e) for e in await store.read_stream("acc-1")]
        await apply_batch(live, Totals(), events[:1])
        await live.execute("UPDATE totals SET total = 999")  # a bug corrupted the read model
        await live.execute("INSERT INTO projection_streams (projection, stream_id, stream_version)"
                           " VALUES ('other.projection', 'x', 7)")

        result = await rebuild_projection(database_url, Totals(), "ledger", migrations)

        assert result["applied"] == 5
        rows = await live.fetch("SELECT account_id, total FROM totals ORDER BY 1")
        assert [(r["account_id"], r["total"]) for r in rows] == [("acc-1", 3), ("acc-2", 10)]
        tracked = await live.fetch("SELECT projection, stream_id, stream_version FROM projection_streams ORDER BY 1, 2")
        assert [tuple(r) for r in tracked] == [
            ("ledger.totals", "acc-1", 3), ("ledger.totals", "acc-2", 2), ("other.projection", "x", 7)]
        assert await live.fetchval("SELECT to_regnamespace('ledger_rebuild')") is None
        # The live consumer goes on where the rebuild stopped: nothing is applied twice.
        assert await apply_batch(live, Totals(), events) == 0
    finally:
        await source.close()
        await live.close()


class TotalsWithAStoreNotDeployedYet(Totals):
    topics = ("billing.counting.events", "billing.later.events")


async def test_a_store_that_does_not_exist_yet_contributes_no_events_to_a_rebuild(
    database_url: str, migrations: Path
) -> None:
    await apply_migrations(database_url, "counting", discover(KERNEL_SQL, prefixes=("kernel",)))
    await apply_migrations(database_url, "ledger", discover(KERNEL_SQL, migrations, prefixes=("kernel", "ledger")))
    source = await create_pool(database_url, "counting")
    live = await create_pool(database_url, "ledger")
    try:
        await append_increments(EventStore(source, registry), "acc-1", 3)
        result = await rebuild_projection(database_url, TotalsWithAStoreNotDeployedYet(), "ledger", migrations)
        assert result["applied"] == 3
        assert [tuple(r) for r in await live.fetch("SELECT account_id, total FROM totals")] == [("acc-1", 3)]
    finally:
        await source.close()
        await live.close()


async def test_positions_show_unpublished_events_and_projection_progress(database_url: str, store: EventStore) -> None:
    await append_increments(store, "acc-1", 4)
    report = await positions({"svc": database_url})
    svc = next(r for r in report if r["kind"] == "store" and r["schema"] == "svc")
    assert (svc["head"], svc["position"], svc["lag"]) == (4, 0, 4)


async def test_positions_show_streams_waiting_on_a_gap_and_versions_given_up(
    database_url: str, store: EventStore, pool: Pool
) -> None:
    await pool.execute("CREATE TABLE totals (account_id text PRIMARY KEY, total bigint)")
    await append_increments(store, "acc-1", 3)
    events = [IncomingEvent.from_recorded("svc", e) for e in await store.read_stream("acc-1")]
    await apply_batch(pool, Totals(), [events[0], events[2]])  # 2 has not arrived: 3 waits

    def projection_row(report: list[dict[str, object]]) -> tuple[object, ...]:
        row = next(r for r in report if r["kind"] == "projection" and r["name"] == "ledger.totals")
        return tuple(row[k] for k in ("streams", "position", "gaps", "waiting", "parked", "missing"))

    assert projection_row(await positions({"counting": database_url})) == (1, 1, 1, 1, 1, 0)
    await give_up_overdue(pool, Totals(), bound=0)
    assert projection_row(await positions({"counting": database_url})) == (1, 3, 1, 0, 0, 1)


def test_the_dev_clock_moves_forward_for_every_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.clock import clock_for

    clock_file = tmp_path / "dev-clock"
    monkeypatch.setenv("DEV_CLOCK_FILE", str(clock_file))
    monkeypatch.setenv("BILLING_ENV", "dev")
    clock = clock_for("dev", str(clock_file))
    before = clock.now()
    assert main(["clock", "advance", "3d"]) == 0
    assert main(["clock", "advance", "12h"]) == 0
    assert float(clock_file.read_text()) == 3.5 * 86400
    later = clock_for("dev", str(clock_file)).now()
    assert 3.49 * 86400 < (later - before).total_seconds() < 3.6 * 86400
    monkeypatch.setenv("BILLING_ENV", "prod")
    with pytest.raises(SystemExit):
        main(["clock", "advance", "1d"])
