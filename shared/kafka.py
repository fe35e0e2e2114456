"""Kafka plumbing shared by the relay, consumers and ops: topics and producers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.structs import TopicPartition

__all__ = ["DEFAULT_PARTITIONS", "end_offsets", "ensure_topics", "new_producer", "partition_count", "topic_size"]

#: Events are keyed by account id; partitions bound the consumers of one group working in parallel.
DEFAULT_PARTITIONS = 6


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int = DEFAULT_PARTITIONS) -> None:
    """Create missing topics with their partitions (auto-creation would give them only one)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, partitions, 1) for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def topic_size(bootstrap: str, topic: str) -> int | None:
    """Records ever written to `topic` (the sum of its end offsets), or None if it does not exist."""
    offsets = await end_offsets(bootstrap, topic)
    return None if offsets is None else sum(offsets)


async def end_offsets(bootstrap: str, topic: str) -> list[int] | None:
    """The next offset of each partition of `topic` (index = partition), or None if it does not exist."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        # `topics()` would drop the partitions it learns: keep the cluster metadata it fetches.
        cluster = await consumer._client.fetch_all_metadata()
        if topic not in cluster.topics():
            return None
        partitions = [TopicPartition(topic, p) for p in sorted(cluster.partitions_for_topic(topic) or ())]
        offsets = await consumer.end_offsets(partitions)
        return [int(offsets[tp]) for tp in partitions]
    finally:
        await consumer.stop()


async def partition_count(producer: AIOKafkaProducer, topic: str) -> int:
    return len(await producer.partitions_for(topic))


def new_producer(bootstrap: str, **kw: object) -> AIOKafkaProducer:
    # Idempotent: a retried send after a lost acknowledgement is written once (acks=all is required
    # with it). Consumers still skip redeliveries, since the relay is at-least-once across restarts.
    options: dict[str, object] = {
        "acks": "all", "enable_idempotence": True, "linger_ms": 5, "max_batch_size": 256 * 1024,
    }
    options.update(kw)
    return AIOKafkaProducer(bootstrap_servers=bootstrap, **options)
