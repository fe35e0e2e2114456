"""A service process's runtime: its pool and event store, and the background workers that run
beside its HTTP API (relay, timers, projection consumers and their gap watches). Litestar's
lifespan starts and stops it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker

from shared.clock import Clock
from shared.consumer import ProjectionConsumer
from shared.db import Pool, create_pool
from shared.events import EventRegistry
from shared.eventstore import EventStore
from shared.freshness import ReadModelFreshness
from shared.kafka import ensure_topics
from shared.logging import get_logger
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from shared.projection import Projection
from shared.relay import Relay
from shared.scheduler import Handler, Scheduler
from shared.settings import CommonSettings

__all__ = ["ServiceRuntime"]

log = get_logger(__name__)


def new_broker(settings: CommonSettings) -> KafkaBroker:
    return KafkaBroker(settings.kafka_bootstrap_servers, logger=None)


class ServiceRuntime:
    def __init__(
        self,
        name: str,
        settings: CommonSettings,
        registry: EventRegistry,
        clock: Clock,
        *,
        migrations: Path | None = None,
        publishes: bool = True,
        projections: Sequence[Projection] = (),
        timer_handlers: Mapping[str, Handler] | None = None,
        consume: bool = True,
    ) -> None:
        """`consume=False`: the projections' consumers run in another process (the gateway's
        projector); this one only watches how far behind their read models are (`freshness`)."""
        self.name = name
        self.settings = settings
        self.registry = registry
        self.clock = clock
        self.migrations = migrations
        self.publishes = publishes
        self.projections = list(projections)
        self.timer_handlers = dict(timer_handlers or {})
        self.consume = consume
        self.pool: Pool
        self.store: EventStore
        self.scheduler: Scheduler
        self.broker: KafkaBroker | None = None
        prefix = settings.kafka_topic_prefix
        #: How far behind the broker this process's read models are (answers carry it).
        self.freshness = ReadModelFreshness(
            settings.kafka_bootstrap_servers,
            {f"{prefix}{p.name}": [f"{prefix}{t}" for t in p.topics] for p in self.projections},
        )
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []

    async def migrate(self) -> None:
        folders = [KERNEL_SQL] + ([self.migrations] if self.migrations else [])
        prefixes = ("kernel", self.name) if self.migrations else ("kernel",)
        await apply_migrations(self.settings.database_url, self.name, discover(*folders, prefixes=prefixes))

    async def start(self) -> None:
        await self.migrate()
        self.pool = await create_pool(self.settings.database_url, self.name, max_size=20)
        self.store = EventStore(self.pool, self.registry, self.name)
        self.scheduler = Scheduler(self.pool, self.clock)
        for kind, handler in self.timer_handlers.items():
            self.scheduler.handler(kind)(handler)
        self._stop.clear()
        if self.publishes:
            relay = Relay(self.store, self.name, self.settings.kafka_bootstrap_servers,
                          topic_prefix=self.settings.kafka_topic_prefix)
            self._tasks.append(asyncio.create_task(relay.run(self._stop), name=f"{self.name}-relay"))
        self._tasks.append(asyncio.create_task(self.scheduler.run(self._stop), name=f"{self.name}-timers"))
        if self.projections and not self.consume:
            self._tasks.append(asyncio.create_task(self.freshness.run(self._stop), name=f"{self.name}-freshness"))
        elif self.projections:
            prefix = self.settings.kafka_topic_prefix
            topics = {f"{prefix}{t}" for p in self.projections for t in p.topics}
            await ensure_topics(self.settings.kafka_bootstrap_servers, sorted(topics | {f"{t}.dlq" for t in topics}))
            self.broker = new_broker(self.settings)
            consumers = [
                ProjectionConsumer(
                    self.pool, projection, session_timeout_ms=self.settings.kafka_session_timeout_ms,
                    gap_timeout=self.settings.projection_gap_timeout_s, topic_prefix=prefix,
                )
                for projection in self.projections
            ]
            for consumer in consumers:
                consumer.attach(self.broker)
            await self.broker.start()
            for consumer in consumers:  # the bound on a gap's wait holds even when no message comes
                self._tasks.append(asyncio.create_task(consumer.watch(self._stop),
                                                       name=f"{consumer.projection.name}-gaps"))
            self._tasks.append(asyncio.create_task(self.freshness.run(self._stop), name=f"{self.name}-freshness"))
        log.info("service.started", service=self.name)

    async def stop(self) -> None:
        self._stop.set()
        if self.broker is not None:
            await self.broker.stop()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 10)
        self._tasks.clear()
        await self.pool.close()

    async def ready(self) -> bool:
        try:
            await self.pool.fetchval("SELECT 1")
        except Exception:
            return False
        return all(not t.done() for t in self._tasks)

    @contextlib.asynccontextmanager
    async def lifespan(self, _: object) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()
