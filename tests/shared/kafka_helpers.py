"""A small projection and helpers for the relay/consumer tests."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream.kafka import KafkaBroker

from shared.cloudevents import to_kafka
from shared.consumer import ProjectionConsumer
from shared.contracts import EventContract
from shared.db import Connection, Pool
from shared.eventstore import EventStore, Metadata, RecordedEvent
from shared.kafka import ensure_topics
from shared.projection import IncomingEvent
from tests.shared.sample_events import CounterIncremented

META = Metadata(correlation_id="corr-42", actor="test")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class CounterTotals:
    """Sums increments per account; refuses (raises on) increments of 666 to act as poison."""

    def __init__(self, topic: str, name: str) -> None:
        self.topics = (topic,)
        self.name = name
        self.applied: list[tuple[str, int]] = []

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        if event.event_type != "test.CounterIncremented":
            return
        by = int(event.payload["by"])
        if by == 666:
            raise ValueError("poison increment")
        await conn.execute(
            "INSERT INTO counter_totals (account_id, total, applied) VALUES ($1, $2, 1)"
            " ON CONFLICT (account_id) DO UPDATE SET total = counter_totals.total + $2,"
            " applied = counter_totals.applied + 1",
            event.payload["account_id"], by,
        )
        self.applied.append((event.stream_id, event.stream_version))


async def create_totals_table(pool: Pool) -> None:
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS counter_totals (account_id text PRIMARY KEY, total bigint, applied int)"
    )


async def append_increments(store: EventStore, stream: str, count: int, start_version: int = 0, by: int = 1) -> None:
    async with store.pool.acquire() as conn, conn.transaction():
        await store.append(
            conn, stream_id=stream, stream_type="Counter", expected_version=start_version,
            events=[CounterIncremented(account_id=stream, by=by) for _ in range(count)],
            metadata=META, occurred_at=NOW,
        )


def counter_contract(topic: str) -> EventContract:
    """What the test services publish: the kernel's sample events (tests/sample_events.py)."""
    return EventContract({topic: {"test.CounterIncremented": 1, "test.AmountCredited": 1}})


class RunningConsumer:
    """A projection consumer on its own broker connection, with its gap watch running."""

    def __init__(self, broker: KafkaBroker, consumer: ProjectionConsumer) -> None:
        self.broker = broker
        self.consumer = consumer
        self._stop = asyncio.Event()
        self._watch = asyncio.create_task(consumer.watch(self._stop))

    async def stop(self) -> None:
        self._stop.set()
        await self._watch
        await self.broker.stop()


async def start_consumer(
    bootstrap: str, pool: Pool, projection: CounterTotals, *, gap_timeout: float = 30.0, topic_prefix: str = ""
) -> RunningConsumer:
    await ensure_topics(bootstrap, [f"{topic_prefix}{t}" for topic in projection.topics for t in (topic, f"{topic}.dlq")])
    broker = KafkaBroker(bootstrap, logger=None)
    consumer = ProjectionConsumer(pool, projection, attempts=2, gap_timeout=gap_timeout, watch_interval=0.2,
                                  contract=counter_contract(projection.topics[0]), topic_prefix=topic_prefix)
    consumer.attach(broker)
    await broker.start()
    return RunningConsumer(broker, consumer)


async def publish_recorded(bootstrap: str, service: str, events: list[RecordedEvent]) -> None:
    """Put stored events on the service's topic as its relay would (CloudEvents), in the order given."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for event in events:
            key, value, headers = to_kafka(service, event)
            await producer.send_and_wait(f"billing.{service}.events", value, key=key, headers=headers)
    finally:
        await producer.stop()




async def read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 15.0) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    records: list = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        # Give duplicates a moment to show up, if any would.
        batch = await consumer.getmany(timeout_ms=300)
        for part in batch.values():
            records.extend(part)
    finally:
        await consumer.stop()
    return records
