"""The telephony service's background work beside its HTTP API: the usage worker (rated usage to
invoicing, and call-detail files to notifications, after commit) and the raw CDR consumer
(`telephony.cdr.raw`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.telephony.application.context import Telephony
from services.telephony.application.detail_orders import drain_detail_orders
from services.telephony.application.ingest import ingest
from services.telephony.application.posting import drain_usage
from services.telephony.settings import TelephonySettings
from shared.kafka import ensure_topics
from shared.logging import get_logger

__all__ = ["CdrConsumer", "UsageWorker", "records_to_cdrs"]

log = get_logger(__name__)


class UsageWorker:
    def __init__(self, telephony: Callable[[], Telephony], *, poll_interval: float = 0.2) -> None:
        self.telephony = telephony
        self.poll_interval = poll_interval
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = await drain_usage(self.telephony()) > 0
            except Exception as error:
                log.error("usage.drain_failed", error=repr(error))
            try:
                busy = await drain_detail_orders(self.telephony()) > 0 or busy
            except Exception as error:
                log.error("detail.drain_failed", error=repr(error))
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.poll_interval)

    @contextlib.asynccontextmanager
    async def lifespan(self, _: object) -> AsyncIterator[None]:
        self._stop.clear()
        self._task = asyncio.create_task(self._loop(), name="telephony-usage")
        try:
            yield
        finally:
            self._stop.set()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, 10)


def records_to_cdrs(records: tuple[ConsumerRecord, ...] | ConsumerRecord) -> list[object]:
    """Each message is one CDR as JSON, or a JSON array of them; a message that is not JSON becomes an
    item the checks refuse (it reaches the dead letters with its text)."""
    if not isinstance(records, tuple):
        records = (records,)
    items: list[object] = []
    for record in records:
        try:
            value: Any = json.loads(record.value or b"")
        except (ValueError, UnicodeDecodeError):
            items.append((record.value or b"")[:2000].decode(errors="replace"))
            continue
        items.extend(value if isinstance(value, list) else [value])
    return items


class CdrConsumer:
    """Raw CDRs from the switch on `<prefix>telephony.cdr.raw`, in batches: offsets are committed only
    after the batch's transaction (a failure seeks back and the batch comes again, which ingestion
    takes as duplicates)."""

    def __init__(self, telephony: Callable[[], Telephony], settings: TelephonySettings) -> None:
        self.telephony = telephony
        self.settings = settings
        self.topic = f"{settings.kafka_topic_prefix}{settings.cdr_topic}"

    @contextlib.asynccontextmanager
    async def lifespan(self, _: object) -> AsyncIterator[None]:
        settings = self.settings
        await ensure_topics(settings.kafka_bootstrap_servers, [self.topic])
        broker = KafkaBroker(settings.kafka_bootstrap_servers, logger=None)
        timeout = settings.kafka_session_timeout_ms

        @broker.subscriber(self.topic, group_id=f"{settings.kafka_topic_prefix}telephony.cdr-ingest", batch=True,
                           max_records=2000, batch_timeout_ms=100, ack_policy=AckPolicy.NACK_ON_ERROR,
                           auto_offset_reset="earliest", session_timeout_ms=timeout,
                           heartbeat_interval_ms=max(200, timeout // 5))
        async def handle(body: list[Any], msg: KafkaMessage) -> None:
            try:
                result = await ingest(self.telephony(), records_to_cdrs(msg.raw_message), "kafka")
            except Exception as error:
                log.error("cdr.batch_failed", error=repr(error))
                await asyncio.sleep(1.0)
                raise
            log.info("cdr.batch", accepted=result.accepted, duplicates=result.duplicates,
                     dead_lettered=len(result.dead_letters))

        await broker.start()
        try:
            yield
        finally:
            await broker.stop()
