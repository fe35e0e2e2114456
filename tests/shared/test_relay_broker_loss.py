"""The relay against a broker that restarts, loses its data, or had a topic recreated under it.

Each test starts a broker of its own (they stop, kill or wipe it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from shared.devstack import start_broker
from shared.eventstore import EventStore
from shared.kafka import ensure_topics, topic_size
from shared.relay import Relay, TopicMisconfigured
from tests.eventually import eventually
from tests.shared.kafka_helpers import append_increments
from tests.shared.test_relay import drain


async def test_a_restarted_broker_that_kept_its_data_gets_nothing_twice(
    store: EventStore, tmp_path: Path, unique: str
) -> None:
    broker = start_broker(tmp_path / "kafka")
    relay = Relay(store, f"svc{unique}", broker.bootstrap)
    try:
        await relay.start()
        await append_increments(store, "acc-1", 5)
        await drain(relay, 5)
        await relay.stop()
        broker.stop()
        broker = start_broker(tmp_path / "kafka", port=broker.port)
        await relay.start()  # looks at what the broker holds: all of it
        await append_increments(store, "acc-1", 2, start_version=5)
        assert await drain(relay, 2) == 2
        assert await topic_size(broker.bootstrap, relay.topic) == 7
    finally:
        await relay.stop()
        broker.stop()


async def test_a_broker_killed_under_load_and_restarted_loses_nothing(
    store: EventStore, tmp_path: Path, unique: str
) -> None:
    broker = start_broker(tmp_path / "kafka")
    relay = Relay(store, f"svc{unique}", broker.bootstrap, idle_interval=0.01)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    written = 0
    try:
        for round_ in range(40):
            await append_increments(store, f"acc-{round_ % 4}", 1, start_version=round_ // 4)
            written += 1
            if round_ == 20:
                broker.kill()  # kill -9: whatever was acknowledged is on disk
            if round_ == 25:
                broker = start_broker(tmp_path / "kafka", port=broker.port)
            await asyncio.sleep(0.05)

        async def all_published() -> bool:
            return (await relay.checkpoint()).global_position == written

        await eventually(all_published, timeout=60)
    finally:
        stop.set()
        await running
    try:
        size = await topic_size(broker.bootstrap, relay.topic)
        # Every event is there; a batch in flight at the kill may be there twice, never missing.
        assert size is not None and written <= size < written + relay.batch_size
    finally:
        broker.stop()


async def test_a_recreated_topic_that_got_newer_events_first_is_republished_whole(
    store: EventStore, broker_dir: Path, unique: str
) -> None:
    broker = start_broker(broker_dir)
    relay = Relay(store, f"svc{unique}", broker.bootstrap)
    try:
        await relay.start()
        await append_increments(store, "acc-1", 30)
        await drain(relay, 30)
        admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
        await admin.start()
        await admin.delete_topics([relay.topic])
        await admin.close()

        async def recreated() -> bool:
            try:
                await ensure_topics(broker.bootstrap, [relay.topic])
            except Exception:
                return False
            return await topic_size(broker.bootstrap, relay.topic) == 0

        await eventually(recreated)
        await relay.stop()
        await relay.start()
        # A new event reaches the new topic before anything else: its acknowledgement (offset 0,
        # below what the relay had written there) shows the loss at once, and everything goes again.
        await append_increments(store, "acc-1", 1, start_version=30)
        await drain(relay, 31)
        assert (await relay.checkpoint()).global_position == 31
        size = await topic_size(broker.bootstrap, relay.topic)
        assert size is not None and size >= 31
    finally:
        await relay.stop()
        broker.stop()


async def test_a_topic_with_another_partition_count_is_refused(
    store: EventStore, broker_dir: Path, unique: str
) -> None:
    broker = start_broker(broker_dir)
    relay = Relay(store, f"svc{unique}", broker.bootstrap)
    try:
        await ensure_topics(broker.bootstrap, [relay.topic], partitions=4)
        with pytest.raises(TopicMisconfigured, match="4 partitions"):
            await relay.start()
    finally:
        await relay.stop()
        broker.stop()


@pytest.fixture
def broker_dir(tmp_path: Path) -> Path:
    return tmp_path / "kafka"
