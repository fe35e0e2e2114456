"""The relay: publishes a service's event store to its Kafka topic in commit order.

At-least-once: a batch is sent (idempotent producer, acks from all in-sync replicas), every send
is acknowledged, then the checkpoint moves, in the service's own database. A crash between the two
republishes the batch on restart; consumers skip what they already applied. Only one relay per
store runs at a time (an advisory lock).

A broker that lost the topic is noticed by what it holds against the checkpoint: with the
checkpoint the relay keeps the next offset of every partition it wrote to; an acknowledgement (or,
when idle, an end offset) below that means the topic was wiped, recreated or truncated. The relay
then starts again from the beginning of the store, the source of truth, paced (`catch_up_rate`) so
that the service's commands keep their latency. A topic with another partition count than the
relay's is refused: one account's events would land in two partitions and lose their order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaProducer

from shared.cloudevents import to_kafka, topic_for
from shared.eventstore import CommitPosition, EventStore, RecordedEvent
from shared.kafka import DEFAULT_PARTITIONS, end_offsets, ensure_topics, new_producer, partition_count
from shared.logging import get_logger
from shared.metrics import RELAY_LAG, RELAY_PUBLISHED, TOPIC_LOSSES

__all__ = ["Relay", "TopicMisconfigured"]

log = get_logger(__name__)


class TopicMisconfigured(RuntimeError):
    """The topic exists with another partition count than the relay publishes with."""


class Relay:
    def __init__(
        self,
        store: EventStore,
        service: str,
        bootstrap: str,
        *,
        batch_size: int = 5000,
        idle_interval: float = 0.05,
        broker_check_interval: float = 5.0,
        catch_up_rate: float = 5000.0,
        topic_prefix: str = "",
        partitions: int = DEFAULT_PARTITIONS,
        after_publish: Callable[[list[RecordedEvent]], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.service = service
        self.topic = f"{topic_prefix}{topic_for(service)}"
        self.partitions = partitions
        self.catch_up_rate = catch_up_rate
        self.bootstrap = bootstrap
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.broker_check_interval = broker_check_interval
        self.name = f"kafka:{self.topic}"
        self._after_publish = after_publish  # failure injection in tests
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        await ensure_topics(self.bootstrap, [self.topic], self.partitions)
        self._producer = new_producer(self.bootstrap)
        await self._producer.start()
        found = await partition_count(self._producer, self.topic)
        if found != self.partitions:
            raise TopicMisconfigured(f"{self.topic} has {found} partitions, the relay publishes to {self.partitions}")
        await self._topic_lost()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set. Only the holder of the advisory lock publishes; a failure
        (broker or database away) restarts the client after a pause instead of ending the relay."""
        pause = 0.5
        while not stop.is_set():
            try:
                await self._run_as_leader(stop)
                pause = 0.5
            except Exception as error:  # the relay must outlive a dependency outage
                log.error("relay.failed", topic=self.topic, error=repr(error), retry_in=pause)
                if await _wait(stop, pause):
                    return
                pause = min(pause * 2, 30.0)

    async def _run_as_leader(self, stop: asyncio.Event) -> None:
        async with self.store.pool.acquire() as lock_conn:
            while not await lock_conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.name):
                if await _wait(stop, 1.0):
                    return
            try:
                await self.start()
                log.info("relay.started", topic=self.topic)
                loop = asyncio.get_running_loop()
                next_check = loop.time() + self.broker_check_interval
                while not stop.is_set():
                    started = loop.time()
                    published = await self.publish_once()
                    if published == 0 and loop.time() >= next_check:
                        next_check = loop.time() + self.broker_check_interval
                        await self._topic_lost()
                    if published == 0:
                        if await _wait(stop, self.idle_interval):
                            break
                    elif published == self.batch_size:  # catching up: leave room for the commands
                        pace = published / self.catch_up_rate - (loop.time() - started)
                        if pace > 0 and await _wait(stop, pace):
                            break
            finally:
                await self.stop()
                await lock_conn.execute("SELECT pg_advisory_unlock(hashtext($1))", self.name)

    async def publish_once(self) -> int:
        checkpoint, offsets = await self._checkpoint_and_offsets()
        events = await self.store.read_all(checkpoint, self.batch_size)
        if not events:
            RELAY_LAG.labels(self.service).set(0)
            return 0
        acknowledged = await self._send(events)
        if any(offset < _at(offsets, partition) for partition, offset in acknowledged.items()):
            await self._restart_from_scratch(offsets, acknowledged)
            return len(events)
        if self._after_publish is not None:
            await self._after_publish(events)
        for partition, offset in acknowledged.items():
            offsets = _with(offsets, partition, offset + 1)
        await self._save_checkpoint(events[-1].commit_position, offsets)
        RELAY_PUBLISHED.labels(self.service).inc(len(events))
        RELAY_LAG.labels(self.service).set(max(0, await self.store.head() - events[-1].global_position))
        return len(events)

    async def republish(self, from_position: int = 1) -> int:
        """Send again every event from `from_position` on (after a broker loss); the checkpoint
        is left alone, consumers skip what they already have."""
        sent = 0
        async for events in self.store.iterate_all(await self.store.position_of(from_position)):
            await self._send(events)
            sent += len(events)
        return sent

    async def checkpoint(self) -> CommitPosition:
        return (await self._checkpoint_and_offsets())[0]

    async def _checkpoint_and_offsets(self) -> tuple[CommitPosition, list[int]]:
        row = await self.store.pool.fetchrow(
            "SELECT transaction_id::text AS tx, global_position, partition_offsets"
            " FROM relay_checkpoints WHERE relay = $1",
            self.name,
        )
        if row is None:
            return CommitPosition(), []
        return CommitPosition(int(row["tx"]), row["global_position"]), list(row["partition_offsets"])

    async def _send(self, events: list[RecordedEvent]) -> dict[int, int]:
        """Send and wait for every acknowledgement; the highest offset acknowledged per partition."""
        assert self._producer is not None, "relay not started"
        futures = []
        for event in events:
            key, value, headers = to_kafka(self.service, event)
            futures.append(await self._producer.send(self.topic, value, key=key, headers=headers))
        highest: dict[int, int] = {}
        for metadata in await asyncio.gather(*futures):
            highest[metadata.partition] = max(metadata.offset, highest.get(metadata.partition, -1))
        return highest

    async def _save_checkpoint(self, position: CommitPosition, offsets: list[int]) -> None:
        await self.store.pool.execute(
            "INSERT INTO relay_checkpoints (relay, transaction_id, global_position, partition_offsets)"
            " VALUES ($1, $2::text::xid8, $3, $4) ON CONFLICT (relay) DO UPDATE"
            " SET transaction_id = excluded.transaction_id, global_position = excluded.global_position,"
            " partition_offsets = excluded.partition_offsets, updated_at = now()",
            self.name,
            str(position.transaction_id),
            position.global_position,
            offsets,
        )

    async def _topic_lost(self) -> bool:
        """True if the broker holds less than the relay wrote (a wiped broker, a deleted and
        recreated or truncated topic); the checkpoint is then reset to republish everything."""
        checkpoint, offsets = await self._checkpoint_and_offsets()
        if checkpoint == CommitPosition():
            return False
        ends = await end_offsets(self.bootstrap, self.topic) or []
        if offsets:
            lost = any(_at(ends, partition) < offset for partition, offset in enumerate(offsets))
        else:  # a checkpoint from before offsets were kept: only an empty topic tells
            lost = sum(ends) == 0
        if not lost:
            return False
        await self._restart_from_scratch(offsets, dict(enumerate(ends)))
        return True

    async def _restart_from_scratch(self, expected: list[int], found: dict[int, int]) -> None:
        checkpoint = await self.checkpoint()
        log.warning("relay.topic_lost", topic=self.topic, checkpoint=checkpoint.global_position,
                    expected_offsets=expected, found_offsets=found)
        TOPIC_LOSSES.labels(self.service).inc()
        await self.store.pool.execute("DELETE FROM relay_checkpoints WHERE relay = $1", self.name)


def _at(offsets: list[int], partition: int) -> int:
    return offsets[partition] if partition < len(offsets) else 0


def _with(offsets: list[int], partition: int, value: int) -> list[int]:
    grown = offsets + [0] * (partition + 1 - len(offsets))
    grown[partition] = max(grown[partition], value)
    return grown


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True if `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True
