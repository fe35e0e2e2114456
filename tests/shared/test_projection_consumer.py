"""Projections fed from Kafka: at-least-once in, exactly-once applied, poison to the DLQ, and
convergence to the store's truth after the broker loses everything."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError
from faststream.kafka.message import KafkaAckableMessage

from shared.db import Connection, Pool
from shared.devstack import Broker, start_broker
from shared.eventstore import EventStore, RecordedEvent
from shared.kafka import ensure_topics
from shared.projection import IncomingEvent, apply_batch
from shared.relay import Relay
from tests.eventually import eventually
from tests.shared.kafka_helpers import (
    CounterTotals,
    append_increments,
    create_totals_table,
    read_topic,
    start_consumer,
)


async def totals(pool: Pool) -> dict[str, tuple[int, int]]:
    rows = await pool.fetch("SELECT account_id, total, applied FROM counter_totals")
    return {r["account_id"]: (r["total"], r["applied"]) for r in rows}


async def drain(relay: Relay, expected: int) -> None:
    """Publish at least `expected` events (the cluster-wide horizon may hold some back a moment)."""
    sent = 0
    for _ in range(500):
        sent += await relay.publish_once()
        if sent >= expected:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {sent} of {expected} events became visible to the relay")


async def test_duplicated_deliveries_are_applied_once(
    store: EventStore, pool: Pool, broker: Broker, unique: str
) -> None:
    await create_totals_table(pool)
    relay = Relay(store, f"svc{unique}", broker.bootstrap)
    await ensure_topics(broker.bootstrap, [relay.topic, f"{relay.topic}.dlq"])
    projection = CounterTotals(relay.topic, f"totals-{unique}")

    async def die(_: list[RecordedEvent]) -> None:
        raise RuntimeError("killed between publish and checkpoint")

    await append_increments(store, "acc-a", 3)
    await append_increments(store, "acc-b", 2)
    crashing = Relay(store, f"svc{unique}", broker.bootstrap, after_publish=die)
    await crashing.start()
    with contextlib.suppress(RuntimeError):
        await crashing.publish_once()
    await crashing.stop()
    await relay.start()
    await drain(relay, 5)  # the same five again
    await relay.stop()

    consumer = await start_consumer(broker.bootstrap, pool, projection)
    try:
        async def converged() -> bool:
            return await totals(pool) == {"acc-a": (3, 3), "acc-b": (2, 2)}

        await eventually(converged)
    finally:
        await consumer.stop()
    assert sorted(projection.applied) == [("acc-a", 1), ("acc-a", 2), ("acc-a", 3), ("acc-b", 1), ("acc-b", 2)]


async def test_a_poison_message_goes_to_the_dlq_and_later_messages_are_applied(
    store: EventStore, pool: Pool, broker: Broker, unique: str
) -> None:
    await create_totals_table(pool)
    relay = Relay(store, f"svc{unique}", broker.bootstrap)
    await ensure_topics(broker.bootstrap, [relay.topic, f"{relay.topic}.dlq"])
    projection = CounterTotals(relay.topic, f"totals-{unique}")
    await append_increments(store, "acc-p", 1)
    await append_increments(store, "acc-p", 1, start_version=1, by=666)  # the projection chokes on it
    await append_increments(store, "acc-p", 1, start_version=2, by=5)
    await relay.start()
    await drain(relay, 3)
    await relay.stop()
    # Garbage that is not even a CloudEvent, straight onto the topic.
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    await producer.send_and_wait(relay.topic, b"not json", key=b"acc-p")
    await producer.stop()
    await append_increments(store, "acc-p", 1, start_version=3, by=10)
    await relay.start()
    await drain(relay, 1)
    await relay.stop()

    # Version 2 is dead-lettered, so 3 and 4 wait for it; after the (short) bound they are applied.
    consumer = await start_consumer(broker.bootstrap, pool, projection, gap_timeout=1.0)
    try:
        async def applied_the_rest() -> bool:
            return (await totals(pool)).get("acc-p") == (16, 3)

        await eventually(applied_the_rest)
    finally:
        await consumer.stop()
    dead = await read_topic(broker.bootstrap, f"{relay.topic}.dlq", 2)
    assert len(dead) == 2
    errors = sorted(dict(r.headers)["x-error"].decode() for r in dead)
    assert "not a CloudEvents" in errors[0] and "poison increment" in errors[1]
    poisoned = next(r for r in dead if b"666" in r.value)
    assert dict(poisoned.headers)["ce_streamversion"] == b"2"
    assert json.loads(poisoned.value)["by"] == 666
    # The versions after the poison one were applied after the wait, and the hole is on record for ops.
    gaps = await pool.fetch("SELECT expected, received FROM projection_gaps WHERE projection = $1", projection.name)
    assert [(g["expected"], g["received"]) for g in gaps] == [(2, 3)]
    missing = await pool.fetch("SELECT stream_id, first_version, last_version FROM projection_missing")
    assert [tuple(m) for m in missing] == [("acc-p", 2, 2)]
    assert projection.applied == [("acc-p", 1), ("acc-p", 3), ("acc-p", 4)]


async def test_after_the_broker_loses_everything_the_projection_converges_to_the_store(
    store: EventStore, pool: Pool, unique: str
) -> None:
    await create_totals_table(pool)
    first = start_broker()
    port = int(first.bootstrap.rsplit(":", 1)[1])
    projection = CounterTotals(f"billing.svc{unique}.events", f"totals-{unique}")
    try:
        relay = Relay(store, f"svc{unique}", first.bootstrap)
        await relay.start()
        await append_increments(store, "acc-x", 3)
        await drain(relay, 3)
        consumer = await start_consumer(first.bootstrap, pool, projection)

        async def first_three() -> bool:
            return (await totals(pool)).get("acc-x") == (3, 3)

        await eventually(first_three)
        await consumer.stop()
        await relay.stop()
    finally:
        first.stop()

    # Events keep arriving while the broker is down; the new broker starts empty (its data wiped).
    await append_increments(store, "acc-x", 2, start_version=3)
    await append_increments(store, "acc-y", 4)
    second = start_broker(port=port)
    try:
        relay = Relay(store, f"svc{unique}", second.bootstrap)
        await relay.start()  # notices the empty topic and starts again from the beginning
        await drain(relay, 9)
        consumer = await start_consumer(second.bootstrap, pool, CounterTotals(projection.topics[0], projection.name))

        async def converged() -> bool:
            return await totals(pool) == {"acc-x": (5, 5), "acc-y": (4, 4)}

        await eventually(converged)
        await consumer.stop()
        await relay.stop()
    finally:
        second.stop()


async def test_replaying_from_the_store_skips_what_was_applied(store: EventStore, pool: Pool, unique: str) -> None:
    await create_totals_table(pool)
    projection = CounterTotals("unused", f"totals-{unique}")
    await append_increments(store, "acc-z", 4)
    events = [IncomingEvent.from_recorded("svc", e) for e in await store.read_stream("acc-z")]
    assert await apply_batch(pool, projection, events[:2]) == 2
    assert await apply_batch(pool, projection, events) == 2
    assert await totals(pool) == {"acc-z": (4, 4)}


async def test_a_running_relay_notices_the_broker_lost_everything_and_republishes(
    store: EventStore, pool: Pool, unique: str
) -> None:
    await create_totals_table(pool)
    first = start_broker()
    port = int(first.bootstrap.rsplit(":", 1)[1])
    relay = Relay(store, f"svc{unique}", first.bootstrap, broker_check_interval=0.3)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    second = None
    try:
        await append_increments(store, "acc-r", 2)

        async def published_two() -> bool:
            return (await relay.checkpoint()).global_position == 2

        await eventually(published_two)
        first.stop()  # the relay stays up through the outage
        await asyncio.sleep(1.0)
        second = start_broker(port=port)  # a new, empty broker where the old one was
        await append_increments(store, "acc-r", 1, start_version=2)
        consumer = await start_consumer(second.bootstrap, pool, CounterTotals(relay.topic, f"totals-{unique}"))
        try:
            async def converged() -> bool:
                return (await totals(pool)).get("acc-r") == (3, 3)

            await eventually(converged, timeout=40)
        finally:
            await consumer.stop()
    finally:
        stop.set()
        await running
        first.stop()
        if second is not None:
            second.stop()


class BulkCounterTotals(CounterTotals):
    """The same sums, several increments at a time (`bulk`); the set-based handler refuses 666 too."""

    def __init__(self, topic: str, name: str) -> None:
        super().__init__(topic, name)
        self.bulk_applied: list[tuple[str, int]] = []
        self.bulk = {"test.CounterIncremented": self._many}

    async def _many(self, conn: Connection, events: Sequence[IncomingEvent]) -> None:
        if any(int(e.payload["by"]) == 666 for e in events):
            raise ValueError("poison increment")
        await conn.execute(
            "INSERT INTO counter_totals (account_id, total, applied) SELECT a, b, 1 FROM unnest($1::text[], $2::int[])"
            " AS u(a, b) ON CONFLICT (account_id) DO UPDATE SET total = counter_totals.total + excluded.total,"
            " applied = counter_totals.applied + 1",
            [e.payload["account_id"] for e in events], [int(e.payload["by"]) for e in events],
        )
        self.bulk_applied.extend((e.stream_id, e.stream_version) for e in events)


async def test_batches_go_through_bulk_handlers_and_one_by_one_when_one_event_fails(
    store: EventStore, pool: Pool, broker: Broker, unique: str
) -> None:
    await create_totals_table(pool)
    relay = Relay(store, f"svc{unique}", broker.bootstrap)
    await ensure_topics(broker.bootstrap, [relay.topic, f"{relay.topic}.dlq"])
    projection = BulkCounterTotals(relay.topic, f"totals-{unique}")
    await append_increments(store, "acc-a", 2)
    await append_increments(store, "acc-b", 1, by=666)
    await append_increments(store, "acc-c", 1, by=2)
    await relay.start()
    await drain(relay, 4)
    consumer = await start_consumer(broker.bootstrap, pool, projection, gap_timeout=1.0)
    try:
        async def first_applied() -> bool:
            return await totals(pool) == {"acc-a": (2, 2), "acc-c": (2, 1)}

        await eventually(first_applied)
        # The batch holding the poison went event by event (only that path dead-letters): the poison
        # alone went to the DLQ, every other event was applied once, by one path or the other.
        assert sorted(projection.applied + projection.bulk_applied) == [("acc-a", 1), ("acc-a", 2), ("acc-c", 1)]
        dead = await read_topic(broker.bootstrap, f"{relay.topic}.dlq", 1)
        assert [json.loads(r.value)["by"] for r in dead] == [666]
        await append_increments(store, "acc-d", 3, by=4)
        await drain(relay, 3)

        async def then_in_bulk() -> bool:
            return (await totals(pool)).get("acc-d") == (12, 3)

        await eventually(then_in_bulk)
        assert sorted(v for s, v in projection.bulk_applied if s == "acc-d") == [1, 2, 3]
        assert not any(s == "acc-d" for s, _ in projection.applied)
    finally:
        await consumer.stop()
        await relay.stop()


async def test_a_batch_whose_commit_failed_is_committed_by_the_watch(
    store: EventStore, pool: Pool, broker: Broker, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastStream only logs a failed commit (the broker restarting): the batch is applied but, with no
    later batch, its group would look behind for ever. Every commit FastStream tries here fails."""
    await create_totals_table(pool)
    relay = Relay(store, f"svc{unique}", broker.bootstrap)
    await ensure_topics(broker.bootstrap, [relay.topic, f"{relay.topic}.dlq"])
    projection = CounterTotals(relay.topic, f"totals-{unique}")

    async def commit_lost(message: KafkaAckableMessage) -> None:
        raise KafkaConnectionError("the coordinator went away")

    monkeypatch.setattr(KafkaAckableMessage, "ack", commit_lost)
    await append_increments(store, "acc-a", 4)
    await relay.start()
    await drain(relay, 4)
    await relay.stop()
    consumer = await start_consumer(broker.bootstrap, pool, projection)
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
    await admin.start()
    try:
        async def committed_to_the_end() -> bool:
            offsets = await admin.list_consumer_group_offsets(projection.name)
            return await totals(pool) == {"acc-a": (4, 4)} and [o.offset for o in offsets.values()] == [4]

        await eventually(committed_to_the_end)
    finally:
        await admin.close()
        await consumer.stop()
