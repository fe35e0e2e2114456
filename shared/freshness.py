"""How fresh a process's read models are, for the answers built from them.

Every second, the watcher asks the broker how far each of the process's consumer groups is behind
the end of the topics it reads (committed offsets against end offsets). An answer then carries:

- `x-read-model-lag`: events on the topics not yet applied, as of the last check;
- `x-read-model-age`: seconds since the read models were last known to be caught up (0 while they
  are); it grows while a backlog persists or the broker cannot be reached, so a client (and ops)
  can tell a stale answer from a fresh one.

The check is one admin round trip per group and one end-offsets request per second per process,
off the request path; requests only read two numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from shared.logging import get_logger

__all__ = ["AGE_HEADER", "LAG_HEADER", "ReadModelFreshness", "freshness_middleware"]

log = get_logger(__name__)

LAG_HEADER = "x-read-model-lag"
AGE_HEADER = "x-read-model-age"


class ReadModelFreshness:
    def __init__(self, bootstrap: str, groups: dict[str, Sequence[str]], interval: float = 1.0) -> None:
        """`groups`: each consumer group of this process and the topics it reads."""
        self.bootstrap = bootstrap
        self.groups = {group: tuple(topics) for group, topics in groups.items()}
        self.interval = interval
        self.lag: int | None = None
        self._caught_up_at = time.monotonic()

    @property
    def age(self) -> float:
        return 0.0 if self.lag == 0 else time.monotonic() - self._caught_up_at

    def headers(self) -> list[tuple[bytes, bytes]]:
        lag = "unknown" if self.lag is None else str(self.lag)
        return [(LAG_HEADER.encode(), lag.encode()), (AGE_HEADER.encode(), f"{self.age:.1f}".encode())]

    def record(self, lag: int | None) -> None:
        """One check's outcome: the total lag, or None when the broker could not be asked."""
        if lag is None and self.lag == 0:
            self._caught_up_at = time.monotonic()  # fresh until now, unknown from here on
        self.lag = lag
        if lag == 0:
            self._caught_up_at = time.monotonic()

    async def run(self, stop: asyncio.Event) -> None:
        admin: AIOKafkaAdminClient | None = None
        offsets: AIOKafkaConsumer | None = None
        while not stop.is_set():
            try:
                if admin is None or offsets is None:
                    admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
                    offsets = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
                    await admin.start()
                    await offsets.start()
                self.record(await self._lag(admin, offsets))
            except Exception as error:  # the broker is away: say so through the age
                log.debug("freshness.check_failed", error=repr(error))
                self.record(None)
                admin, offsets = await _close(admin, offsets)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
        await _close(admin, offsets)

    async def _lag(self, admin: AIOKafkaAdminClient, offsets: AIOKafkaConsumer) -> int:
        total = 0
        for group, topics in self.groups.items():
            committed = await asyncio.wait_for(admin.list_consumer_group_offsets(group), 5)
            partitions = [tp for tp in committed if tp.topic in topics]
            if not partitions:
                continue
            ends = await asyncio.wait_for(offsets.end_offsets(partitions), 5)
            total += sum(max(0, ends[tp] - max(committed[tp].offset, 0)) for tp in partitions)
        return total


async def _close(
    admin: AIOKafkaAdminClient | None, offsets: AIOKafkaConsumer | None
) -> tuple[None, None]:
    for client in (admin, offsets):
        if client is not None:
            with contextlib.suppress(Exception):
                await (client.close() if isinstance(client, AIOKafkaAdminClient) else client.stop())
    return None, None


def freshness_middleware(freshness: ReadModelFreshness, prefix: str = "/api/") -> Callable[[ASGIApp], ASGIApp]:
    """Add the freshness headers to every answer under `prefix` (the pages built from read models)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or not scope["path"].startswith(prefix):  # type: ignore[comparison-overlap]
                await app(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), *freshness.headers()]}
                await send(message)

            await app(scope, receive, send_with_headers)

        return middleware

    return factory
