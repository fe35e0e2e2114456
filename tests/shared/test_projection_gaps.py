"""No event is ever lost from a read model (issue 8, §4): events arriving out of order are applied in
stream order, a forged or unknown message goes to the DLQ without moving any stream's mark, a real
duplicate is skipped, and a gap that never fills is given up after a bound (visibly) while the
missing version is still applied if it arrives later. Each test ends with every stored event in the
read model, exactly once."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY

from shared.cloudevents import to_kafka
from shared.db import Pool
from shared.eventstore import EventStore, RecordedEvent
from shared.gaps import give_up_overdue, refresh_gauges
from shared.kafka import ensure_topics
from shared.projection import IncomingEvent, apply_batch
from tests.eventually import eventually
from tests.shared.kafka_helpers import (
    CounterTotals,
    append_increments,
    create_totals_table,
    publish_recorded,
    read_topic,
    start_consumer,
)

STREAM = "acc-g"


async def stored(store: EventStore, bys: list[int], start: int = 0) -> list[RecordedEvent]:
    """Append one increment per `by` to STREAM (versions start + 1, ...); the whole stream as stored."""
    for offset, by in enumerate(bys):
        await append_increments(store, STREAM, 1, start_version=start + offset, by=by)
    return await store.read_stream(STREAM)


async def read_model(pool: Pool) -> tuple[int, int] | None:
    row = await pool.fetchrow("SELECT total, applied FROM counter_totals WHERE account_id = $1", STREAM)
    return (row["total"], row["applied"]) if row else None


async def holds_the_store(pool: Pool, store: EventStore) -> bool:
    """Every stored event of STREAM is in the read model, each once."""
    events = await store.read_stream(STREAM)
    return await read_model(pool) == (sum(e.payload["by"] for e in events), len(events))


async def tracking(pool: Pool, name: str) -> dict[str, object]:
    return {
        "version": await pool.fetchval(
            "SELECT stream_version FROM projection_streams WHERE projection = $1 AND stream_id = $2", name, STREAM),
        "gaps": [tuple(r) for r in await pool.fetch(
            "SELECT expected, received FROM projection_gaps WHERE projection = $1 ORDER BY noticed_at", name)],
        "parked": [r["stream_version"] for r in await pool.fetch(
            "SELECT stream_version FROM projection_parked WHERE projection = $1 ORDER BY 1", name)],
        "missing": [tuple(r) for r in await pool.fetch(
            "SELECT first_version, last_version FROM projection_missing WHERE projection = $1 ORDER BY 1", name)],
    }


def metric(name: str, projection: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"projection": projection})


async def setup(pool: Pool, bootstrap: str, unique: str) -> tuple[str, CounterTotals]:
    await create_totals_table(pool)
    service = f"svc{unique}"
    topic = f"billing.{service}.events"
    await ensure_topics(bootstrap, [topic, f"{topic}.dlq"])
    return service, CounterTotals(topic, f"totals-{unique}")


async def test_events_delivered_out_of_order_are_all_applied_in_stream_order(
    store: EventStore, pool: Pool, broker, unique: str
) -> None:
    service, projection = await setup(pool, broker.bootstrap, unique)
    events = await stored(store, [1, 10, 100, 1000, 10000])
    consumer = await start_consumer(broker.bootstrap, pool, projection)
    try:
        await publish_recorded(broker.bootstrap, service, [events[0], events[1], events[3], events[4]])

        async def two_wait() -> bool:
            return (await tracking(pool, projection.name))["parked"] == [4, 5]

        await eventually(two_wait)
        assert await read_model(pool) == (11, 2)  # 4 and 5 wait for 3: nothing moved past it
        assert (await tracking(pool, projection.name))["version"] == 2

        async def gauge_shows_them() -> bool:
            return metric("billing_projection_parked_events", projection.name) == 2

        await eventually(gauge_shows_them)
        await publish_recorded(broker.bootstrap, service, [events[2]])
        await eventually(lambda: holds_the_store(pool, store))
    finally:
        await consumer.stop()
    assert projection.applied == [(STREAM, v) for v in (1, 2, 3, 4, 5)]
    assert await tracking(pool, projection.name) == {"version": 5, "gaps": [(3, 4)], "parked": [], "missing": []}
    # Everything on the stream's partition was handled: the lag gauge says so.
    lag = [(s.labels["partition"], s.value) for m in REGISTRY.collect() if m.name == "billing_consumer_lag"
           for s in m.samples if s.labels["projection"] == projection.name]
    assert len(lag) == 1 and lag[0][1] == 0, lag


async def test_a_forged_message_goes_to_the_dlq_and_moves_no_mark(
    store: EventStore, pool: Pool, broker, unique: str
) -> None:
    service, projection = await setup(pool, broker.bootstrap, unique)
    events = await stored(store, [1, 2, 3])
    consumer = await start_consumer(broker.bootstrap, pool, projection)
    try:
        await publish_recorded(broker.bootstrap, service, events)
        await eventually(lambda: holds_the_store(pool, store))
        # What hit production: a type nobody publishes, stream version 1003, on a real stream.
        real = events[-1]
        forged = [
            replace(real, event_id=uuid.uuid4(), event_type="test.AccountHijacked", stream_version=1003),
            replace(real, event_id=uuid.uuid4(), stream_version=0),  # versions start at 1
            replace(real, event_id=uuid.uuid4(), event_type="test.CounterIncremented", schema_version=7,
                    stream_version=1004),  # newer than the published contract
        ]
        await publish_recorded(broker.bootstrap, service, forged)
        # A known ce_eventtype whose ce_type says something else, and another service's source.
        key, value, headers = to_kafka(service, replace(real, event_id=uuid.uuid4(), stream_version=1005))
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
        await producer.start()
        try:
            for name, bad in (("ce_type", b"billing.other.Evil.v1"), ("ce_source", b"/billing/other")):
                forged_headers = [(n, bad if n == name else v) for n, v in headers]
                await producer.send_and_wait(projection.topics[0], value, key=key, headers=forged_headers)
        finally:
            await producer.stop()

        events = await stored(store, [40, 50, 60], start=3)
        await publish_recorded(broker.bootstrap, service, events[3:])
        await eventually(lambda: holds_the_store(pool, store))
    finally:
        await consumer.stop()
    dead = await read_topic(broker.bootstrap, f"{projection.topics[0]}.dlq", 5)
    errors = sorted(dict(r.headers)["x-error"].decode() for r in dead)
    assert len(dead) == 5, errors
    assert any("test.AccountHijacked.v1 is not in the contract" in e for e in errors)
    assert any("stream version 0" in e for e in errors)
    assert any("publishes up to v1" in e for e in errors)
    assert any("disagrees with ce_eventtype" in e for e in errors)
    assert any("does not publish on" in e for e in errors)
    hijack = next(r for r in dead if dict(r.headers)["ce_eventtype"] == b"test.AccountHijacked")
    assert dict(hijack.headers)["ce_streamversion"] == b"1003" and json.loads(hijack.value)["by"] == 3
    assert projection.applied == [(STREAM, v) for v in range(1, 7)]
    assert await tracking(pool, projection.name) == {"version": 6, "gaps": [], "parked": [], "missing": []}


async def test_a_real_duplicate_is_skipped_wherever_it_arrives(
    store: EventStore, pool: Pool, broker, unique: str
) -> None:
    service, projection = await setup(pool, broker.bootstrap, unique)
    events = await stored(store, [1, 2, 3, 4, 5])
    consumer = await start_consumer(broker.bootstrap, pool, projection)
    try:
        v1, v2, v3, v4, v5 = events
        # 1, 2 applied; 4 parked, then again while parked; 1 and 2 again; 3 releases 4; all again; 5.
        await publish_recorded(broker.bootstrap, service, [v1, v2, v4, v4, v1, v2, v3, v1, v2, v3, v4, v5])
        await eventually(lambda: holds_the_store(pool, store))
    finally:
        await consumer.stop()
    assert projection.applied == [(STREAM, v) for v in (1, 2, 3, 4, 5)]
    assert await read_model(pool) == (15, 5)
    assert await tracking(pool, projection.name) == {"version": 5, "gaps": [(3, 4)], "parked": [], "missing": []}


async def test_a_gap_that_never_fills_is_given_up_and_the_late_version_is_still_applied(
    store: EventStore, pool: Pool, broker, unique: str
) -> None:
    service, projection = await setup(pool, broker.bootstrap, unique)
    events = await stored(store, [1, 10, 100, 1000, 10000])
    given_up_before = metric("billing_projection_gaps_given_up_total", projection.name) or 0
    consumer = await start_consumer(broker.bootstrap, pool, projection, gap_timeout=1.0)
    try:
        await publish_recorded(broker.bootstrap, service, [events[0], events[1], events[3], events[4]])

        async def given_up() -> bool:
            return await read_model(pool) == (11011, 4)

        await eventually(given_up)
        assert await tracking(pool, projection.name) == {
            "version": 5, "gaps": [(3, 4)], "parked": [], "missing": [(3, 3)]}
        assert metric("billing_projection_gaps_given_up_total", projection.name) == given_up_before + 1

        async def alert_visible() -> bool:
            return metric("billing_projection_missing_versions", projection.name) == 1

        await eventually(alert_visible)
        # The missing version turns up at last (a republish from the store): applied, not a duplicate.
        await publish_recorded(broker.bootstrap, service, [events[2]])
        await eventually(lambda: holds_the_store(pool, store))

        async def alert_cleared() -> bool:
            return metric("billing_projection_missing_versions", projection.name) == 0

        await eventually(alert_cleared)
    finally:
        await consumer.stop()
    assert projection.applied == [(STREAM, v) for v in (1, 2, 4, 5, 3)]
    assert await tracking(pool, projection.name) == {"version": 5, "gaps": [(3, 4)], "parked": [], "missing": []}


async def test_a_replay_with_a_hole_waits_and_a_refused_parked_event_is_dead_lettered(
    store: EventStore, pool: Pool, unique: str
) -> None:
    """The same rules without Kafka: `apply_batch` (replays) and the watch's give-up."""
    await create_totals_table(pool)
    projection = CounterTotals("unused", f"totals-{unique}")
    events = [IncomingEvent.from_recorded("svc", e) for e in await stored(store, [1, 2, 666, 4, 5])]
    v1, v2, poison, v4, v5 = events
    assert await apply_batch(pool, projection, [v1, poison, v4, v5]) == 1  # 2 is not there yet
    assert (await tracking(pool, projection.name))["parked"] == [3, 4, 5]
    assert await give_up_overdue(pool, projection, bound=3600) == 0  # the wait is not over
    refused: list[tuple[int, str]] = []

    async def dead_letter(event: IncomingEvent, error: Exception) -> None:
        refused.append((event.stream_version, str(error)))

    # The wait is over: 3 is refused by the projection (dead-lettered), 4 and 5 are applied.
    assert await give_up_overdue(pool, projection, bound=0, dead_letter=dead_letter) == 1
    assert refused == [(3, "poison increment")]
    assert projection.applied == [(STREAM, 1), (STREAM, 4), (STREAM, 5)]
    assert await tracking(pool, projection.name) == {
        "version": 5, "gaps": [(2, 3)], "parked": [], "missing": [(2, 3)]}
    assert await refresh_gauges(pool, projection.name) == (0, 2)
    # 2 turns up: applied late; only the refused 3 stays missing (it is in the DLQ, not in the read model).
    assert await apply_batch(pool, projection, [v2]) == 1
    assert (await tracking(pool, projection.name))["missing"] == [(3, 3)]
    assert await read_model(pool) == (1 + 2 + 4 + 5, 4)
    assert await apply_batch(pool, projection, [v1, v2, v4, v5]) == 0  # a replay applies nothing twice
