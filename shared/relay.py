"""The relay: publishes a service's event store to its Kafka topic in commit order.

At-least-once: a batch is sent, every send is acknowledged, then the checkpoint moves, in the
service's own database. A crash between the two republishes the batch on restart; consumers skip
what they already applied. Only one relay per store runs at a time (an advisory lock).
If the topic comes back empty while the checkpoint says we published (the broker lost its data),
the relay starts again from the beginning: the store is the source of truth.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaProducer

from shared.cloudevents import to_kafka, topic_for
from shared.eventstore import CommitPosition, EventStore, RecordedEvent
from shared.kafka import ensure_topics, new_producer, topic_size
from shared.logging import get_logger
from shared.metrics import RELAY_LAG, RELAY_PUBLISHED

__all__ = ["Relay"]

log = get_logger(__name__)


class Relay:
    def __init__(
        self,
        store: EventStore,
        service: str,
        bootstrap: str,
        *,
        batch_size: int = 1000,
        idle_interval: float = 0.05,
        broker_check_interval: float = 15.0,
        after_publish: Callable[[list[RecordedEvent]], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.service = service
        self.topic = topic_for(service)
        self.bootstrap = bootstrap
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.broker_check_interval = broker_check_interval
        self.name = f"kafka:{self.topic}"
        self._after_publish = after_publish  # failure injection in tests
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        await ensure_topics(self.bootstrap, [self.topic])
        self._producer = new_producer(self.bootstrap)
        await self._producer.start()
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
                    published = await self.publish_once()
                    if loop.time() >= next_check:
                        next_check = loop.time() + self.broker_check_interval
                        if await self._topic_lost():
                            return  # start() again: a fresh client, republishing from the start
                    if published == 0 and await _wait(stop, self.idle_interval):
                        break
            finally:
                await self.stop()
                await lock_conn.execute("SELECT pg_advisory_unlock(hashtext($1))", self.name)

    async def publish_once(self) -> int:
        checkpoint = await self.checkpoint()
        events = await self.store.read_all(checkpoint, self.batch_size)
        if not events:
            RELAY_LAG.labels(self.service).set(0)
            return 0
        await self._send(events)
        if self._after_publish is not None:
            await self._after_publish(events)
        await self._save_checkpoint(events[-1].commit_position)
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
        row = await self.store.pool.fetchrow(
            "SELECT transaction_id::text AS tx, global_position FROM relay_checkpoints WHERE relay = $1",
            self.name,
        )
        return CommitPosition(int(row["tx"]), row["global_position"]) if row else CommitPosition()

    async def _send(self, events: list[RecordedEvent]) -> None:
        assert self._producer is not None, "relay not started"
        futures = []
        for event in events:
            key, value, headers = to_kafka(self.service, event)
            futures.append(await self._producer.send(self.topic, value, key=key, headers=headers))
        await asyncio.gather(*futures)

    async def _save_checkpoint(self, position: CommitPosition) -> None:
        await self.store.pool.execute(
            "INSERT INTO relay_checkpoints (relay, transaction_id, global_position)"
            " VALUES ($1, $2::text::xid8, $3) ON CONFLICT (relay) DO UPDATE"
            " SET transaction_id = excluded.transaction_id,"
            " global_position = excluded.global_position, updated_at = now()",
            self.name,
            str(position.transaction_id),
            position.global_position,
        )

    async def _topic_lost(self) -> bool:
        """True if the broker no longer holds what the checkpoint says was published (a restarted
        memory-only broker, a deleted topic); the checkpoint is then reset."""
        checkpoint = await self.checkpoint()
        if checkpoint == CommitPosition():
            return False
        if await topic_size(self.bootstrap, self.topic):
            return False
        log.warning("relay.topic_lost", topic=self.topic, checkpoint=checkpoint.global_position)
        await self.store.pool.execute("DELETE FROM relay_checkpoints WHERE relay = $1", self.name)
        return True


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True if `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True
