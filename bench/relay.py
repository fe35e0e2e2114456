"""The relay (store -> Kafka, in commit order, checkpointed) beside a raw aiokafka producer.

N events are appended first (100 per append, 8 writers, 200-event streams so keys spread over
the topic's partitions). Each run deletes the relay's checkpoint and times `publish_once` until it
returns 0. A raw aiokafka producer (enable_idempotence=True, acks="all", as the relay's) sends the
very same key/value/headers (built by to_kafka from the stored events, outside the timing) to its
own topic of the same partitions, every send un-awaited and the futures gathered at the end: once
with aiokafka's defaults otherwise (linger 0, 16 KiB batches), once with the relay's batching
(shared.kafka.new_producer: linger 5 ms, 256 KiB batches). Goal: relay/raw >= 0.5.
Also timed: reading the same events back with EventStore.read_all alone (no Kafka).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from time import perf_counter
from typing import Any, cast

from aiokafka import AIOKafkaProducer

from bench.common import NOW, RUNS, SCALE, Sample, median, payment
from bench.eventstore import METADATA
from bench.setup import migrate
from shared.cloudevents import to_kafka, topic_for
from shared.db import Connection, create_pool
from shared.events import EventRegistry
from shared.eventstore import CommitPosition, EventStore, RecordedEvent
from shared.kafka import ensure_topics
from shared.relay import Relay

__all__ = ["RelayFigures", "run"]

N = max(1000, int(20_000 * SCALE))
BATCH, STREAM = 100, 200


@dataclass(frozen=True)
class RelayFigures:
    events: int
    value_bytes: float
    headers: float
    header_bytes: float
    relay: float
    raw: float
    raw_batched: float
    read_all: float


async def _fill(store: EventStore, writers: int = 8) -> None:
    """N events: streams of up to STREAM events, appended BATCH at a time, each stream by one writer."""
    sizes = [min(STREAM, N - first) for first in range(0, N, STREAM)]

    async def writer(index: int) -> None:
        for size in sizes[index::writers]:
            stream = f"account-{uuid.uuid4()}"
            for version in range(0, size, BATCH):
                events = [payment(stream, version + n) for n in range(min(BATCH, size - version))]
                async with store.pool.acquire() as conn, conn.transaction():
                    await store.append(cast(Connection, conn), stream_id=stream, stream_type="Account",
                                       expected_version=version, events=events, metadata=METADATA,
                                       occurred_at=NOW)

    await asyncio.gather(*(writer(i) for i in range(writers)))


async def _read_all(store: EventStore) -> tuple[list[RecordedEvent], Sample]:
    start = perf_counter()
    events = [e async for batch in store.iterate_all(CommitPosition(), 1000) for e in batch]
    return events, Sample(len(events), perf_counter() - start)


async def _relay_once(relay: Relay) -> Sample:
    await relay.store.pool.execute("DELETE FROM relay_checkpoints WHERE relay = $1", relay.name)
    start = perf_counter()
    sent = 0
    while published := await relay.publish_once():
        sent += published
    return Sample(sent, perf_counter() - start)


Message = tuple[bytes | None, bytes, list[tuple[str, bytes]]]


#: The raw producers' settings beyond enable_idempotence=True, acks="all".
PLAIN: dict[str, Any] = {}
BATCHED: dict[str, Any] = {"linger_ms": 5, "max_batch_size": 256 * 1024}  # as shared.kafka.new_producer


async def _raw_once(bootstrap: str, topic: str, messages: list[Message], settings: dict[str, Any]) -> Sample:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", **settings)
    await producer.start()
    try:
        start = perf_counter()
        futures = [await producer.send(topic, value, key=key, headers=headers) for key, value, headers in messages]
        await asyncio.gather(*futures)
        return Sample(len(messages), perf_counter() - start)
    finally:
        await producer.stop()


async def run(dsn: str, bootstrap: str) -> RelayFigures:
    await migrate(dsn, "relay")
    pool = await create_pool(dsn, "relay", min_size=8, max_size=8)
    service = f"bench{uuid.uuid4().hex[:8]}"
    raw_topic = topic_for(f"{service}raw")
    relay = Relay(EventStore(pool, EventRegistry()), service, bootstrap)
    try:
        await _fill(relay.store)
        events, _ = await _read_all(relay.store)
        messages = [to_kafka(service, e) for e in events]
        await ensure_topics(bootstrap, [raw_topic])
        await relay.start()
        await _raw_once(bootstrap, raw_topic, messages[:1000], PLAIN)  # warm-up: metadata, connections
        relays, raws, batched, reads = [], [], [], []
        for _ in range(RUNS):
            relays.append((await _relay_once(relay)).rate)
            raws.append((await _raw_once(bootstrap, raw_topic, messages, PLAIN)).rate)
            batched.append((await _raw_once(bootstrap, raw_topic, messages, BATCHED)).rate)
            reads.append((await _read_all(relay.store))[1].rate)
    finally:
        await relay.stop()
        await pool.close()
    return RelayFigures(
        events=len(messages),
        value_bytes=sum(len(v) for _, v, _ in messages) / len(messages),
        headers=sum(len(h) for _, _, h in messages) / len(messages),
        header_bytes=sum(len(k) + len(v) for _, _, h in messages for k, v in h) / len(messages),
        relay=median(relays), raw=median(raws), raw_batched=median(batched), read_all=median(reads),
    )
