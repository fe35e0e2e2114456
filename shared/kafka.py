"""Kafka plumbing shared by the relay, consumers and ops: topics and producers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.structs import TopicPartition

__all__ = ["DEFAULT_PARTITIONS", "ensure_topics", "new_producer", "topic_size"]

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
    """Records ever written to `topic` (the sum of its end offsets), or None if it does not exist.

    A topic whose size is 0 while our checkpoint says we published is a topic the broker lost
    (Tansu keeps nothing across a restart) and must be republished."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        if topic not in await consumer.topics():
            return None
        partitions = consumer.partitions_for_topic(topic) or set()
        offsets = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return int(sum(offsets.values()))
    finally:
        await consumer.stop()


def new_producer(bootstrap: str, **kw: object) -> AIOKafkaProducer:
    # Idempotent/transactional producers fail on Tansu; at-least-once plus idempotent consumers
    # is what we rely on, with Apache Kafka too.
    options: dict[str, object] = {"acks": "all", "linger_ms": 5, "max_batch_size": 256 * 1024}
    options.update(kw)
    return AIOKafkaProducer(bootstrap_servers=bootstrap, **options)
