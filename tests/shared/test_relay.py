"""Relay: store -> Kafka, in commit order, CloudEvents binary mode, at-least-once."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
from cloudevents.core.bindings import kafka as ce_kafka

from shared.devstack import Broker
from shared.eventstore import EventStore, RecordedEvent
from shared.relay import Relay
from tests.shared.kafka_helpers import META, NOW, append_increments, read_topic
from tests.shared.sample_events import CounterIncremented


async def drain(relay: Relay, expected: int = 0, timeout: float = 10.0) -> int:
    """Publish until nothing is left and at least `expected` went out. The horizon is the oldest
    transaction running anywhere on the PostgreSQL cluster, so another database's work may
    delay (never skip) what the relay sees."""
    total = 0
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        sent = await relay.publish_once()
        total += sent
        if sent == 0 and (total >= expected or asyncio.get_running_loop().time() > deadline):
            return total
        if sent == 0:
            await asyncio.sleep(0.02)


async def test_published_events_are_cloudevents_any_client_can_read(
    store: EventStore, broker: Broker, unique: str
) -> None:
    relay = Relay(store, f"svc{unique}", broker.bootstrap)
    await relay.start()
    try:
        await append_increments(store, "acc-1", 2)
        assert await drain(relay, 2) == 2
    finally:
        await relay.stop()
    records = await read_topic(broker.bootstrap, relay.topic, 2)
    assert len(records) == 2
    stored = await store.read_stream("acc-1")
    for record, event in zip(sorted(records, key=lambda r: r.offset), stored, strict=True):
        message = ce_kafka.KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
        parsed = ce_kafka.from_kafka_event(message)
        assert parsed.get_id() == str(event.event_id)
        assert parsed.get_type() == f"billing.svc{unique}.test.CounterIncremented.v1"
        assert parsed.get_source() == f"/billing/svc{unique}"
        assert parsed.get_subject() == "acc-1"
        assert parsed.get_extension("streamversion") == str(event.stream_version)
        assert parsed.get_extension("correlationid") == "corr-42"
        assert record.key == b"acc-1"
        assert json.loads(record.value) == event.payload


async def test_relay_delivers_every_event_of_out_of_order_commits_once_and_in_stream_order(
    store: EventStore, broker: Broker, unique: str
) -> None:
    relay = Relay(store, f"svc{unique}", broker.bootstrap, batch_size=13)
    await relay.start()
    stop = asyncio.Event()

    async def relay_loop() -> None:
        while not stop.is_set():
            if await relay.publish_once() == 0:
                await asyncio.sleep(0.002)
        await drain(relay)

    async def writer(n: int) -> None:
        for version in range(20):
            async with store.pool.acquire() as conn, conn.transaction():
                await store.append(
                    conn, stream_id=f"acc-{n}", stream_type="Counter", expected_version=version,
                    events=[CounterIncremented(account_id=f"acc-{n}")], metadata=META, occurred_at=NOW,
                )
                await asyncio.sleep(random.uniform(0, 0.01))

    running = asyncio.create_task(relay_loop())
    await asyncio.gather(*(writer(n) for n in range(6)))
    stop.set()
    await running
    await relay.stop()
    records = await read_topic(broker.bootstrap, relay.topic, 120)
    ids = [dict(r.headers)["ce_id"] for r in records]
    assert len(ids) == 120 and len(set(ids)) == 120
    for n in range(6):
        versions = [int(dict(r.headers)["ce_streamversion"]) for r in sorted(records, key=lambda r: r.offset)
                    if r.key == f"acc-{n}".encode()]
        assert versions == list(range(1, 21))


async def test_a_relay_killed_between_publish_and_checkpoint_resends_and_loses_nothing(
    store: EventStore, broker: Broker, unique: str
) -> None:
    class Killed(Exception):
        pass

    async def die(_: list[RecordedEvent]) -> None:
        raise Killed

    await append_increments(store, "acc-k", 5)
    doomed = Relay(store, f"svc{unique}", broker.bootstrap, after_publish=die)
    await doomed.start()
    with pytest.raises(Killed):
        await drain(doomed, 5)
    await doomed.stop()
    assert (await doomed.checkpoint()).global_position == 0

    await append_increments(store, "acc-k", 2, start_version=5)
    restarted = Relay(store, f"svc{unique}", broker.bootstrap)
    await restarted.start()
    assert await drain(restarted, 7) == 7
    await restarted.stop()
    records = await read_topic(broker.bootstrap, restarted.topic, 12)
    versions = sorted(int(dict(r.headers)["ce_streamversion"]) for r in records)
    assert versions == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7]  # duplicates only, nothing lost


async def test_republish_from_a_position_sends_the_rest_again(store: EventStore, broker: Broker, unique: str) -> None:
    await append_increments(store, "acc-r", 4)
    relay = Relay(store, f"svc{unique}", broker.bootstrap)
    await relay.start()
    await drain(relay, 4)
    assert await relay.republish(from_position=3) == 2
    await relay.stop()
    records = await read_topic(broker.bootstrap, relay.topic, 6)
    assert sorted(int(dict(r.headers)["ce_globalposition"]) for r in records) == [1, 2, 3, 3, 4, 4]


async def test_only_one_relay_per_store_publishes(store: EventStore, broker: Broker, unique: str) -> None:
    await append_increments(store, "acc-l", 3)
    first = Relay(store, f"svc{unique}", broker.bootstrap)
    second = Relay(store, f"svc{unique}", broker.bootstrap)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(first.run(stop)), asyncio.create_task(second.run(stop))]
    await asyncio.sleep(3)
    stop.set()
    await asyncio.gather(*tasks)
    records = await read_topic(broker.bootstrap, first.topic, 3)
    assert len(records) == 3
