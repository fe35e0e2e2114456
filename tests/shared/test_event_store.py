"""The event store's contract against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shared.commands import execute
from shared.errors import ConcurrencyConflict, DomainError
from shared.eventstore import CommitPosition, EventStore, IdempotencyKeyReused, Metadata, StreamAppend
from shared.incoming import IncomingEvent
from tests.shared.sample_events import AmountCredited, Counter, CounterIncremented

META = Metadata(correlation_id="c-1", actor="test")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


async def read_all_eventually(store: EventStore, expected: int, after: CommitPosition = CommitPosition()) -> list:
    """The horizon is the oldest transaction on the whole cluster: another database's work may
    delay (never hide) what a reader sees, so wait for it, bounded."""
    for _ in range(500):
        seen = await store.read_all(after)
        if len(seen) >= expected:
            return seen
        await asyncio.sleep(0.02)
    return seen


async def append(store: EventStore, stream: str, expected: int, *events: object) -> list:
    async with store.pool.acquire() as conn, conn.transaction():
        return await store.append(
            conn, stream_id=stream, stream_type="Counter", expected_version=expected,
            events=list(events), metadata=META, occurred_at=NOW,  # type: ignore[arg-type]
        )


async def test_appended_events_read_back_in_version_order_with_exact_values(store: EventStore) -> None:
    recorded = await append(store, "s-1", 0, AmountCredited(account_id="a", amount=Decimal("0.10")),
                            CounterIncremented(account_id="a", by=2))
    assert [r.stream_version for r in recorded] == [1, 2]
    back = await store.read_stream("s-1")
    assert [r.event_id for r in back] == [r.event_id for r in recorded]
    assert back[0].to_domain(store.registry) == AmountCredited(account_id="a", amount=Decimal("0.10"))
    assert back[0].metadata == {"correlation_id": "c-1", "actor": "test"}
    assert back[0].partition_key == "a"


async def test_two_concurrent_appends_at_the_same_expected_version_exactly_one_succeeds(store: EventStore) -> None:
    await append(store, "s-race", 0, CounterIncremented(account_id="a"))
    results = await asyncio.gather(
        *(append(store, "s-race", 1, CounterIncremented(account_id="a")) for _ in range(2)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, list) for r in results) == 1
    assert sum(isinstance(r, ConcurrencyConflict) for r in results) == 1
    assert [r.stream_version for r in await store.read_stream("s-race")] == [1, 2]


async def test_a_stale_or_future_expected_version_appends_nothing(store: EventStore) -> None:
    await append(store, "s-v", 0, CounterIncremented(account_id="a"))
    with pytest.raises(ConcurrencyConflict):
        await append(store, "s-v", 0, CounterIncremented(account_id="a"))
    with pytest.raises(ConcurrencyConflict):
        await append(store, "s-v", 5, CounterIncremented(account_id="a"))
    assert len(await store.read_stream("s-v")) == 1


async def test_a_rule_decided_under_contention_lets_exactly_one_command_win(store: EventStore) -> None:
    async def attempt() -> object:
        return await execute(store, Counter, "counter-1", lambda c: c.increment_once("a"), metadata=META, now=NOW)

    results = await asyncio.gather(*(attempt() for _ in range(20)), return_exceptions=True)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, DomainError) for r in results if isinstance(r, Exception))
    assert len(await store.read_stream("counter-1")) == 1


async def test_a_repeated_idempotency_key_returns_the_first_result_and_appends_once(store: EventStore) -> None:
    async def run() -> object:
        return await execute(
            store, Counter, "counter-2", lambda c: [CounterIncremented(account_id="a")],
            metadata=META, now=NOW, idempotency_key="cmd-1", request={"by": 1},
            respond=lambda c, _: {"value": c.value},
        )

    results = await asyncio.gather(*(run() for _ in range(10)))
    assert {r.stream_version for r in results} == {1}  # type: ignore[attr-defined]
    assert sum(not r.repeated for r in results) == 1  # type: ignore[attr-defined]
    assert results[0].body == {"value": 1}  # type: ignore[attr-defined]
    assert len(await store.read_stream("counter-2")) == 1


async def test_an_idempotency_key_reused_for_another_request_is_refused(store: EventStore) -> None:
    def inc(c: Counter) -> list:
        return [CounterIncremented(account_id="a")]

    await execute(store, Counter, "counter-3", inc, metadata=META, now=NOW, idempotency_key="k", request={"by": 1})
    with pytest.raises(IdempotencyKeyReused):
        await execute(store, Counter, "counter-3", inc, metadata=META, now=NOW, idempotency_key="k", request={"by": 2})
    assert len(await store.read_stream("counter-3")) == 1


async def test_a_refused_command_leaves_no_idempotency_record_and_no_events(store: EventStore) -> None:
    def refuse(c: Counter) -> list:
        raise DomainError("nope", "refused")

    with pytest.raises(DomainError):
        await execute(store, Counter, "counter-4", refuse, metadata=META, now=NOW, idempotency_key="k4", request={})
    assert await store.pool.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    assert await store.read_stream("counter-4") == []


async def test_snapshots_only_move_forward(store: EventStore) -> None:
    async with store.pool.acquire() as conn:
        await store.save_snapshot(conn, "s", 5, {"value": 5})
        await store.save_snapshot(conn, "s", 3, {"value": 3})
        assert await store.load_snapshot(conn, "s") == (5, {"value": 5})
        assert await store.load_snapshot(conn, "missing") is None


async def test_read_all_waits_for_an_open_transaction_instead_of_skipping_it(store: EventStore) -> None:
    async with store.pool.acquire() as slow:
        tx = slow.transaction()
        await tx.start()
        await store.append(slow, stream_id="slow", stream_type="Counter", expected_version=0,
                           events=[CounterIncremented(account_id="a")], metadata=META, occurred_at=NOW)
        await append(store, "fast", 0, CounterIncremented(account_id="b"))
        # The fast one committed, but a transaction older than it is still open: nothing is
        # visible yet, so a reader can never checkpoint past the slow event.
        assert await store.read_all(CommitPosition()) == []
        await tx.commit()
    seen = await read_all_eventually(store, 2)
    assert [e.stream_id for e in seen] == ["slow", "fast"]


async def test_gap_safety_under_concurrent_writers_committing_out_of_order(store: EventStore) -> None:
    """Many writers sleep randomly inside their transactions while a reader polls with a
    checkpoint: every event is read exactly once and each stream in order."""
    writers, per_writer = 8, 25
    done = asyncio.Event()
    seen: list = []

    async def writer(n: int) -> None:
        for i in range(per_writer):
            async with store.pool.acquire() as conn, conn.transaction():
                await store.append(
                    conn, stream_id=f"w{n}", stream_type="Counter", expected_version=i,
                    events=[CounterIncremented(account_id=f"w{n}")], metadata=META, occurred_at=NOW,
                )
                await asyncio.sleep(random.uniform(0, 0.01))

    async def reader() -> None:
        checkpoint = CommitPosition()
        idle_after_done = 0
        while True:
            batch = await store.read_all(checkpoint, limit=7)
            if batch:
                seen.extend(batch)
                checkpoint = batch[-1].commit_position
                continue
            if done.is_set():
                idle_after_done += 1
                # Every writer committed: keep polling until all is seen (or give up after ~10 s,
                # the horizon being cluster-wide), and a little longer to catch any duplicate.
                if (len(seen) >= writers * per_writer and idle_after_done > 20) or idle_after_done > 2000:
                    return
            await asyncio.sleep(0.005)

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(n) for n in range(writers)))
    done.set()
    await reading
    twice = [(e.stream_id, e.stream_version, e.commit_position) for e in seen
             if sum(x.event_id == e.event_id for x in seen) > 1]
    assert len(seen) == writers * per_writer, f"read twice: {twice}"
    assert len({e.event_id for e in seen}) == len(seen)
    for n in range(writers):
        assert [e.stream_version for e in seen if e.stream_id == f"w{n}"] == list(range(1, per_writer + 1))
    # Commit order is what readers see: the global positions may interleave, never repeat.
    assert sorted(e.commit_position for e in seen) == [e.commit_position for e in seen]


async def test_iterate_all_and_position_of_support_republishing(store: EventStore) -> None:
    for i in range(5):
        await append(store, f"p{i}", 0, CounterIncremented(account_id="a"))
    await read_all_eventually(store, 5)
    batches = [b async for b in store.iterate_all(batch=2)]
    assert [len(b) for b in batches] == [2, 2, 1]
    start = await store.position_of(3)
    rest = await store.read_all(start)
    assert [e.global_position for e in rest] == [3, 4, 5]
    assert uuid.UUID(str(rest[0].event_id))


async def test_a_replays_rows_give_the_events_the_recorded_ones_give(store: EventStore) -> None:
    await append(store, "r-1", 0, AmountCredited(account_id="a", amount=Decimal("0.10")),
                 CounterIncremented(account_id="a", by=2))
    await append(store, "r-2", 0, AmountCredited(account_id="b", amount=Decimal("12345678901234.5678")))
    recorded = await read_all_eventually(store, 3)
    rows = await store.read_for_replay(CommitPosition(), 10)
    replayed = [IncomingEvent.from_row("svc", row) for row in rows]
    assert replayed == [IncomingEvent.from_recorded("svc", e) for e in recorded]
    assert replayed[2].payload == {"account_id": "b", "amount": "12345678901234.5678"}
    assert replayed[0].correlation_id == "c-1" and replayed[0].subject == "a"
    assert CommitPosition(int(rows[-1]["transaction_id"]), rows[-1]["global_position"]) == recorded[-1].commit_position


async def test_commit_order_compares_transaction_ids_as_numbers_not_text(store: EventStore) -> None:
    # Transaction ids crossing a power of ten ('100' < '99' as text) must still come in numeric
    # order, or a reader's checkpoint would jump past the lower one and skip it for good.
    for tx, stream in ((99, "tx-99"), (100, "tx-100"), (1000, "tx-1000")):
        await store.pool.execute(
            "INSERT INTO events (stream_id, stream_type, stream_version, event_id, event_type, schema_version,"
            " payload, metadata, occurred_at, transaction_id)"
            " VALUES ($1, 'Counter', 1, $2, 'test.CounterIncremented', 1, $3, '{}', now(), $4::text::xid8)",
            stream, uuid.uuid4(), {"account_id": "a", "by": 1}, str(tx),
        )
    seen: list[str] = []
    checkpoint = CommitPosition()
    while batch := await store.read_all(checkpoint, limit=1):
        seen.append(batch[0].stream_id)
        checkpoint = batch[0].commit_position
    assert seen == ["tx-99", "tx-100", "tx-1000"]


async def test_long_streams_load_from_a_snapshot_plus_later_events(store: EventStore) -> None:
    from shared.commands import load_aggregate
    from tests.shared.sample_events import SnapshottingCounter

    for _ in range(7):
        await execute(store, SnapshottingCounter, "snap-1", lambda c: [CounterIncremented(account_id="a", by=2)],
                      metadata=META, now=NOW)
    async with store.pool.acquire() as conn:
        version, state = await store.load_snapshot(conn, "snap-1")  # type: ignore[misc]
        assert (version, state["state"]) == (6, {"value": 12})
        # The snapshot is used: tamper with it and the loaded state shows it (events 1-6 skipped).
        await conn.execute("UPDATE snapshots SET state = jsonb_set(state, '{state,value}', '100')")
        loaded = await load_aggregate(store, conn, SnapshottingCounter, "snap-1")
        assert (loaded.version, loaded.value) == (7, 102)
        # A snapshot of another shape is ignored: the events are the truth.
        await conn.execute("UPDATE snapshots SET state = jsonb_set(state, '{_schema}', '99')")
        assert (await load_aggregate(store, conn, SnapshottingCounter, "snap-1")).value == 14


def _part(stream: str, expected: int, *bys: int) -> StreamAppend:
    return StreamAppend(stream, "Counter", expected, [CounterIncremented(account_id=stream, by=by) for by in bys])


async def append_streams(store: EventStore, *parts: StreamAppend) -> int:
    async with store.pool.acquire() as conn, conn.transaction():
        return await store.append_streams(conn, list(parts), metadata=META, occurred_at=NOW)


async def test_a_batch_append_puts_each_streams_events_at_its_versions_and_loads_back_as_one_by_one(
        store: EventStore) -> None:
    from shared.commands import load_aggregate, load_aggregates
    from tests.shared.sample_events import SnapshottingCounter

    await append(store, "b-2", 0, CounterIncremented(account_id="b-2", by=5))
    for _ in range(7):  # b-3 loads from a snapshot plus later events
        await execute(store, SnapshottingCounter, "b-3", lambda c: [CounterIncremented(account_id="b-3", by=2)],
                      metadata=META, now=NOW)
    assert await append_streams(store, _part("b-1", 0, 1, 2), _part("b-2", 1, 3), _part("b-3", 7, 4)) == 4
    assert [(r.stream_version, r.payload["by"]) for r in await store.read_stream("b-1")] == [(1, 1), (2, 2)]
    assert [(r.stream_version, r.payload["by"]) for r in await store.read_stream("b-2")] == [(1, 5), (2, 3)]
    assert (await store.read_stream("b-1"))[0].metadata == {"correlation_id": "c-1", "actor": "test"}
    async with store.pool.acquire() as conn:
        after = await store.read_streams(conn, {"b-2": 1, "b-1": 0, "none": 0})
        assert {s: [r.stream_version for r in events] for s, events in after.items()} == {
            "b-2": [2], "b-1": [1, 2], "none": []}
        loaded = await load_aggregates(store, conn, SnapshottingCounter, ["b-1", "b-2", "b-3", "none"])
        one_by_one = [await load_aggregate(store, conn, SnapshottingCounter, s) for s in ("b-1", "b-2", "b-3", "none")]
        assert [(a.version, a.value) for a in loaded.values()] == [(a.version, a.value) for a in one_by_one]
        assert [(a.version, a.value) for a in loaded.values()] == [(2, 3), (2, 8), (8, 18), (0, 0)]
        # the snapshot is used, as by load_aggregate
        await conn.execute("UPDATE snapshots SET state = jsonb_set(state, '{state,value}', '100')")
        assert (await load_aggregates(store, conn, SnapshottingCounter, ["b-3"]))["b-3"].value == 106


async def test_a_batch_append_with_one_stream_moved_appends_nothing_and_names_it(store: EventStore) -> None:
    await append(store, "m-2", 0, CounterIncremented(account_id="m-2"))
    for stale in (0, 5):  # behind the stream, or ahead of it
        with pytest.raises(ConcurrencyConflict) as raised:
            await append_streams(store, _part("m-1", 0, 1), _part("m-2", stale, 1), _part("m-3", 0, 1))
        assert raised.value.extra["stream_id"] == "m-2"
    assert [len(await store.read_stream(s)) for s in ("m-1", "m-2", "m-3")] == [0, 1, 0]
    with pytest.raises(ValueError):
        await append_streams(store, _part("m-1", 0, 1), _part("m-1", 0, 2))


async def test_concurrent_batch_appends_sharing_a_stream_let_exactly_one_batch_land(store: EventStore) -> None:
    results = await asyncio.gather(
        append_streams(store, _part("c-1", 0, 1), _part("c-2", 0, 1)),
        append_streams(store, _part("c-2", 0, 2), _part("c-3", 0, 2)),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["ConcurrencyConflict", "int"]
    winner = 1 if isinstance(results[0], int) else 2
    landed = {s: [r.payload["by"] for r in await store.read_stream(s)] for s in ("c-1", "c-2", "c-3")}
    assert landed == ({"c-1": [1], "c-2": [1], "c-3": []} if winner == 1 else {"c-1": [], "c-2": [2], "c-3": [2]})


async def test_appends_are_counted_per_service_and_event_type(store: EventStore) -> None:
    from prometheus_client import REGISTRY

    counted = EventStore(store.pool, store.registry, "svc-count")

    def appended() -> float:
        labels = {"service": "svc-count", "event_type": "test.CounterIncremented"}
        return REGISTRY.get_sample_value("billing_events_appended_total", labels) or 0.0

    before = appended()
    await append(counted, "acc-m", 0, CounterIncremented(account_id="acc-m", by=1), CounterIncremented(account_id="acc-m", by=2))
    assert appended() == before + 2
    await append_streams(counted, StreamAppend("acc-n", "Counter", 0, [CounterIncremented(account_id="acc-n")]),
                         StreamAppend("acc-o", "Counter", 0, [CounterIncremented(account_id="acc-o")]))
    assert appended() == before + 4
