"""The one consumer helper: a projection fed from Kafka through a FastStream batch subscriber.

At-least-once: FastStream commits the offsets only after the handler returned
(`AckPolicy.NACK_ON_ERROR`); if the handler fails (database down), the batch is sought back and
redelivered. Inside a batch, each message is applied in its own savepoint and retried a few
times; a message that keeps failing (or cannot even be parsed) goes to `<topic>.dlq` with the
error in its headers, and the batch goes on.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from shared.cloudevents import decode_value, parse_headers
from shared.db import Connection, Pool
from shared.logging import bind_correlation, get_logger
from shared.metrics import PROJECTION_DEAD_LETTERED
from shared.projection import IncomingEvent, Projection, StreamTracker, apply_one

__all__ = ["ProjectionConsumer"]

log = get_logger(__name__)


def _parse(record: ConsumerRecord) -> tuple[ConsumerRecord, IncomingEvent | None, Exception | None]:
    try:
        return record, IncomingEvent.from_headers(parse_headers(record.headers), decode_value(record.value)), None
    except Exception as error:  # anything unparseable is poison
        return record, None, error


class ProjectionConsumer:
    def __init__(
        self,
        pool: Pool,
        projection: Projection,
        *,
        attempts: int = 3,
        max_records: int = 500,
        session_timeout_ms: int = 6000,
        topic_prefix: str = "",
    ) -> None:
        self.pool = pool
        self.projection = projection
        self.attempts = attempts
        self.max_records = max_records
        self.session_timeout_ms = session_timeout_ms
        #: Topics and the consumer group are named `<prefix><name>` on the broker (settings).
        self.topic_prefix = topic_prefix
        self._broker: KafkaBroker | None = None

    def attach(self, broker: KafkaBroker) -> None:
        """Register the subscriber on `broker`; its consumer group is the projection's name."""
        self._broker = broker
        timeout = self.session_timeout_ms

        @broker.subscriber(
            *(f"{self.topic_prefix}{topic}" for topic in self.projection.topics),
            group_id=f"{self.topic_prefix}{self.projection.name}",
            batch=True,
            max_records=self.max_records,
            batch_timeout_ms=50,
            fetch_max_wait_ms=100,  # the cabinet waits on this: keep the read path short
            ack_policy=AckPolicy.NACK_ON_ERROR,
            auto_offset_reset="earliest",
            session_timeout_ms=timeout,
            heartbeat_interval_ms=max(200, timeout // 5),
        )
        async def handle(body: list[Any], msg: KafkaMessage) -> None:
            await self.handle_records(msg.raw_message)

    async def handle_records(self, records: tuple[ConsumerRecord, ...] | ConsumerRecord) -> None:
        if not isinstance(records, tuple):
            records = (records,)
        parsed = [_parse(record) for record in records]
        try:
            await self._apply_records(parsed)
        except Exception as error:
            # The database is away (or the batch cannot commit): nothing was applied, the offsets
            # stay uncommitted and FastStream seeks back; pause so redelivery is not a hot loop.
            log.error("projection.batch_failed", projection=self.projection.name, error=repr(error))
            await asyncio.sleep(1.0)
            raise

    async def _apply_records(
        self, parsed: list[tuple[ConsumerRecord, IncomingEvent | None, Exception | None]]
    ) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            tracker = StreamTracker(self.projection.name)
            await tracker.load(conn, {e.stream_id for _, e, _ in parsed if e is not None})
            for record, event, problem in parsed:
                if event is None:
                    await self._dead_letter(record, problem)
                    continue
                with bind_correlation(event.correlation_id):
                    failure = await self._apply_with_retries(conn, tracker, event)
                if failure is not None:
                    await self._dead_letter(record, failure)
            await tracker.save(conn)

    async def _apply_with_retries(
        self, conn: Connection, tracker: StreamTracker, event: IncomingEvent
    ) -> Exception | None:
        for attempt in range(1, self.attempts + 1):
            try:
                async with conn.transaction():  # a savepoint: a failure undoes this event only
                    await apply_one(conn, self.projection, tracker, event)
                return None
            except Exception as error:
                log.warning(
                    "projection.apply_failed",
                    projection=self.projection.name,
                    stream_id=event.stream_id,
                    stream_version=event.stream_version,
                    attempt=attempt,
                    error=repr(error),
                )
                if attempt == self.attempts:
                    return error
                await asyncio.sleep(0.01 * attempt)
        return None

    async def _dead_letter(self, record: ConsumerRecord, error: Exception | None) -> None:
        assert self._broker is not None
        PROJECTION_DEAD_LETTERED.labels(self.projection.name).inc()
        headers = {name: value.decode(errors="replace") for name, value in record.headers or ()}
        headers.update(
            {
                "x-error": repr(error)[:1000],
                "x-projection": self.projection.name,
                "x-original-topic": record.topic,
                "x-original-partition": str(record.partition),
                "x-original-offset": str(record.offset),
            }
        )
        log.error("projection.dead_lettered", projection=self.projection.name, topic=record.topic,
                  offset=record.offset, error=repr(error))
        await self._broker.publish(
            record.value or b"", f"{record.topic}.dlq", key=record.key, headers=headers
        )
