"""The one consumer helper: a projection fed from Kafka through a FastStream batch subscriber.

At-least-once: FastStream commits the offsets only after the handler returned
(`AckPolicy.NACK_ON_ERROR`); if the handler fails (database down), the batch is sought back and
redelivered. Each message is first checked against the producer's published contract
(`shared/contracts.py`); one that fails the check (or cannot even be parsed) goes to `<topic>.dlq`
with the error in its headers and touches no stream's state. The others are applied in stream order
(`shared/projection.py`), each in its own savepoint and retried a few times; a message that keeps
failing goes to the DLQ too, and the batch goes on.

`watch` must run beside the subscriber (ServiceRuntime starts it): it gives up gaps older than
`gap_timeout` even when no message arrives, and keeps the parked/missing gauges current. After each
batch the `billing_consumer_lag` gauge is set per partition from the consumer's last fetched
high-water mark (no extra request).

FastStream only logs a commit that fails (the broker restarting, the coordinator moving): the batch
stays applied but its offsets uncommitted until the next batch, and with no next batch the group
looks behind for ever (the cabinet's `x-read-model-lag`). So once a second has passed without a
batch, `watch` commits the offsets after the last handled records once more (the same values; a
failure is retried at the next round).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from aiokafka.structs import ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from shared.cloudevents import ce_type, decode_value, parse_headers, topic_for
from shared.contracts import EventContract, published_contract
from shared.db import Connection, Pool
from shared.deadletters import record_dead_letter, refresh_depth
from shared.gaps import give_up_overdue, refresh_gauges
from shared.logging import bind_correlation, get_logger
from shared.metrics import CONSUMER_LAG, PROJECTION_DEAD_LETTERED
from shared.projection import IncomingEvent, Projection, StreamTracker, apply_events, apply_one, bulk_handlers

__all__ = ["ProjectionConsumer"]

log = get_logger(__name__)


Parsed = tuple[ConsumerRecord, IncomingEvent | None, Exception | None]


def _event_headers(event: IncomingEvent) -> dict[str, str]:
    """CloudEvents headers of an event kept as JSON (a parked one), for the DLQ."""
    service = event.source.rsplit("/", 1)[-1]
    headers = {
        "ce_specversion": "1.0", "ce_id": event.event_id, "ce_source": event.source,
        "ce_type": ce_type(service, event.event_type, event.schema_version),
        "ce_time": event.occurred_at.isoformat(), "content-type": "application/json",
        "ce_streamid": event.stream_id, "ce_streamversion": str(event.stream_version),
        "ce_eventtype": event.event_type, "ce_schemaversion": str(event.schema_version),
    }
    optional = {"ce_globalposition": event.global_position, "ce_subject": event.subject,
                "ce_correlationid": event.correlation_id}
    headers.update({name: str(value) for name, value in optional.items() if value is not None})
    return headers


def _last_offsets(records: tuple[ConsumerRecord, ...] | ConsumerRecord) -> dict[TopicPartition, int]:
    """The offset of the last record per partition in a batch."""
    last: dict[TopicPartition, int] = {}
    for record in records if isinstance(records, tuple) else (records,):
        tp = TopicPartition(record.topic, record.partition)
        last[tp] = max(last.get(tp, -1), record.offset)
    return last


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
        gap_timeout: float = 30.0,
        watch_interval: float = 1.0,
        contract: EventContract | None = None,
    ) -> None:
        """`gap_timeout`: seconds a stream waits for a missing version before its later events are
        applied without it; `contract`: what the topics carry (default: the published documents)."""
        self.pool = pool
        self.projection = projection
        self.attempts = attempts
        self.max_records = max_records
        self.session_timeout_ms = session_timeout_ms
        #: Topics and the consumer group are named `<prefix><name>` on the broker (settings).
        self.topic_prefix = topic_prefix
        self.gap_timeout = gap_timeout
        self.watch_interval = watch_interval
        self.contract = contract if contract is not None else published_contract()
        self.contract.require(projection.topics)
        self._broker: KafkaBroker | None = None
        #: The offsets after the last records handled, per partition, until `watch` has committed them.
        self._handled: dict[TopicPartition, int] = {}
        self._handled_by: Any = None
        self._handled_at = 0.0

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
            last = _last_offsets(msg.raw_message)
            self._handled_by, self._handled_at = msg.consumer, time.monotonic()
            self._handled.update({tp: offset + 1 for tp, offset in last.items()})
            self._record_lag(msg.consumer, last)

    async def commit_handled(self) -> None:
        """Commit the offsets after the last handled records once no batch came for a round (see the
        module's docstring); partitions this consumer no longer owns are left to their new owner."""
        consumer, handled = self._handled_by, dict(self._handled)
        if not handled or consumer is None or time.monotonic() - self._handled_at < self.watch_interval:
            return
        owned = {tp: offset for tp, offset in handled.items() if tp in consumer.assignment()}
        if owned:
            await consumer.commit(owned)
        for tp, offset in handled.items():
            if self._handled.get(tp) == offset:  # not moved on by a batch meanwhile
                del self._handled[tp]

    def _record_lag(self, consumer: Any, last: dict[TopicPartition, int]) -> None:
        """Lag after this batch, per partition: the high-water mark of the last fetch (kept by
        aiokafka, no request) minus the offset of the last record handled."""
        highwater = getattr(consumer, "highwater", None)
        if highwater is None:
            return
        for tp, offset in last.items():
            try:
                end = highwater(tp)
            except Exception:  # revoked by a rebalance during the batch: its new owner reports it
                end = None
            if end is not None:
                CONSUMER_LAG.labels(self.projection.name, tp.topic, str(tp.partition)).set(max(0, end - offset - 1))

    def _parse(self, record: ConsumerRecord) -> Parsed:
        try:
            headers = parse_headers(record.headers)
            self.contract.check(record.topic.removeprefix(self.topic_prefix), headers)
            return record, IncomingEvent.from_headers(headers, decode_value(record.value)), None
        except Exception as error:  # anything unparseable or outside the contract is poison
            return record, None, error

    async def handle_records(self, records: tuple[ConsumerRecord, ...] | ConsumerRecord) -> None:
        if not isinstance(records, tuple):
            records = (records,)
        parsed = [self._parse(record) for record in records]
        try:
            await self._apply_records(parsed)
        except Exception as error:
            # The database is away (or the batch cannot commit): nothing was applied, the offsets
            # stay uncommitted and FastStream seeks back; pause so redelivery is not a hot loop.
            log.error("projection.batch_failed", projection=self.projection.name, error=repr(error))
            await asyncio.sleep(1.0)
            raise

    async def _apply_records(self, parsed: list[Parsed]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            tracker = StreamTracker(self.projection.name)
            streams = {e.stream_id for _, e, _ in parsed if e is not None}
            await tracker.load(conn, streams)
            if bulk_handlers(self.projection) and await self._apply_at_once(conn, tracker, parsed, streams):
                await tracker.save(conn)
                return
            for record, event, problem in parsed:
                if event is None:
                    await self._dead_letter(record, problem)
                    continue
                with bind_correlation(event.correlation_id):
                    failure = await self._apply_with_retries(conn, tracker, event)
                if failure is not None:
                    await self._dead_letter(record, failure)
            await tracker.save(conn)

    async def _apply_at_once(
        self, conn: Connection, tracker: StreamTracker, parsed: list[Parsed], streams: set[str]
    ) -> bool:
        """The batch through the projection's `bulk` handlers, in one savepoint; False (nothing
        applied, the tracker reloaded) if anything in it fails: then each event goes on its own."""
        try:
            async with conn.transaction():
                await apply_events(conn, self.projection, tracker, [e for _, e, _ in parsed if e is not None],
                                   self._dead_letter_event)
        except Exception as error:
            log.info("projection.batch_one_by_one", projection=self.projection.name, error=repr(error))
            await tracker.load(conn, streams)
            return False
        for record, event, problem in parsed:
            if event is None:
                await self._dead_letter(record, problem)
        return True

    async def _apply_with_retries(
        self, conn: Connection, tracker: StreamTracker, event: IncomingEvent
    ) -> Exception | None:
        for attempt in range(1, self.attempts + 1):
            before = tracker.snapshot(event.stream_id)
            try:
                async with conn.transaction():  # a savepoint: a failure undoes this event only
                    await apply_one(conn, self.projection, tracker, event, self._dead_letter_event)
                return None
            except Exception as error:
                tracker.restore(event.stream_id, before)
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
        await record_dead_letter(self.pool, headers)

    async def _dead_letter_event(self, event: IncomingEvent, error: Exception) -> None:
        """A parked event that `apply` refused when its turn came (its message was acked long ago)."""
        assert self._broker is not None
        PROJECTION_DEAD_LETTERED.labels(self.projection.name).inc()
        topic = f"{self.topic_prefix}{topic_for(event.source.rsplit('/', 1)[-1])}"
        headers = _event_headers(event) | {"x-error": repr(error)[:1000], "x-projection": self.projection.name,
                                           "x-original-topic": topic, "x-parked": "true"}
        log.error("projection.dead_lettered", projection=self.projection.name, topic=topic,
                  stream_id=event.stream_id, stream_version=event.stream_version, error=repr(error))
        await self._broker.publish(
            json.dumps(event.payload, separators=(",", ":")).encode(), f"{topic}.dlq",
            key=event.subject.encode() if event.subject is not None else None, headers=headers,
        )
        await record_dead_letter(self.pool, headers)

    async def watch(self, stop: asyncio.Event) -> None:
        """Until `stop`: give up overdue gaps and refresh the gauges every `watch_interval` seconds.
        Errors (the database away) are logged and the watch goes on."""
        while not stop.is_set():
            try:
                await self.check_gaps()
            except Exception as error:
                log.error("projection.gap_watch_failed", projection=self.projection.name, error=repr(error))
            try:
                await self.commit_handled()
            except Exception as error:  # the broker still away: the next round tries again
                log.warning("projection.commit_retry_failed", projection=self.projection.name, error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.watch_interval)

    async def check_gaps(self) -> int:
        """One round of the watch; the number of streams given up on."""
        dead_letter = self._dead_letter_event if self._broker is not None else None
        given_up = await give_up_overdue(self.pool, self.projection, self.gap_timeout, dead_letter)
        await refresh_gauges(self.pool, self.projection.name)
        await refresh_depth(self.pool, self.projection.name)
        return given_up
