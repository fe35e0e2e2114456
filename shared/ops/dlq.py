"""Dead-letter queues for ops: list, show, retry (back to the main topic after a fix) and drop.

A DLQ is read whole, from its first offset to its end, with no consumer group (nothing committed,
nothing moved); each message is shown with its state from the `dead_letters` table of the service
that owns the projection named in its `x-projection` header (`shared/deadletters.py`). Retrying
sends the message's value, key and CloudEvents headers to the topic it came from (its
`x-original-topic`), with `x-retried-from` naming the dead letter; every consumer group on that topic
sees it again, and those that applied it already skip it by its stream version. Dropping changes
nothing on the broker (Kafka deletes no single message): the dead letter is closed on record. Each
retry and drop is recorded in `dlq_actions`: who (`--actor`, else the login name), when, what."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from shared.db import quote_ident
from shared.deadletters import source_of
from shared.kafka import new_producer

__all__ = ["DeadLetterMessage", "dlq_topic", "drop", "read_dlq", "retry", "states"]

DsnFor = Callable[[str], str]


@dataclass(frozen=True)
class DeadLetterMessage:
    topic: str
    partition: int
    offset: int
    timestamp: datetime
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def ref(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def projection(self) -> str:
        return self.headers.get("x-projection", "")

    @property
    def source(self) -> str:
        return source_of(self.headers)

    @property
    def owner(self) -> str:
        """The service whose database keeps this dead letter's state: the projection's prefix."""
        return self.projection.split(".", 1)[0]

    def summary(self) -> dict[str, Any]:
        h = self.headers
        stream = f"{h['ce_streamid']}@{h.get('ce_streamversion')}" if "ce_streamid" in h else ""
        return {"ref": self.ref, "at": self.timestamp.isoformat(timespec="seconds"), "projection": self.projection,
                "type": h.get("ce_eventtype", h.get("ce_type", "")), "stream": stream,
                "error": h.get("x-error", "")[:120]}

    def as_json(self) -> dict[str, Any]:
        try:
            value: Any = json.loads(self.value)
        except ValueError:
            value = self.value.decode(errors="replace")
        return {"topic": self.topic, "ref": self.ref, "timestamp": self.timestamp.isoformat(),
                "key": self.key.decode(errors="replace") if self.key else None, "headers": self.headers,
                "value": value, "source": self.source}


def dlq_topic(topic: str, prefix: str = "") -> str:
    """`billing.payments.events` or its `.dlq`, with or without the prefix: the DLQ on the broker."""
    name = topic if topic.startswith(prefix) else f"{prefix}{topic}"
    return name if name.endswith(".dlq") else f"{name}.dlq"


async def read_dlq(bootstrap: str, topic: str) -> list[DeadLetterMessage]:
    """Every message of the DLQ `topic`, in partition and offset order (an absent topic: none)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        if topic not in cluster.topics():
            return []
        partitions = [TopicPartition(topic, p) for p in sorted(cluster.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[DeadLetterMessage] = []
        while pending := [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for tp, records in (await consumer.getmany(*pending, timeout_ms=1000)).items():
                found.extend(
                    DeadLetterMessage(tp.topic, tp.partition, r.offset, datetime.fromtimestamp(r.timestamp / 1000, UTC),
                                      r.key, r.value or b"",
                                      {n: v.decode(errors="replace") for n, v in r.headers or ()})
                    for r in records if r.offset < ends[tp])
        return sorted(found, key=lambda m: (m.partition, m.offset))
    finally:
        await consumer.stop()


async def states(messages: Sequence[DeadLetterMessage], dsn_for: DsnFor) -> dict[str, dict[str, Any]]:
    """By message ref: its `dead_letters` row (resolution, by whom, when), where one is on record."""
    found: dict[str, dict[str, Any]] = {}
    for owner in {m.owner for m in messages if m.owner}:
        conn = await asyncpg.connect(dsn_for(owner))
        try:
            mine = [m for m in messages if m.owner == owner]
            rows = await conn.fetch(
                "SELECT projection, source, resolution, resolved_by, resolved_at"
                f" FROM {quote_ident(owner)}.dead_letters"
                " WHERE (projection, source) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
                [m.projection for m in mine], [m.source for m in mine])
            by_key = {(r["projection"], r["source"]): dict(r) for r in rows}
            for m in mine:
                if (m.projection, m.source) in by_key:
                    found[m.ref] = by_key[(m.projection, m.source)]
        finally:
            await conn.close()
    return found


def _clean_headers(headers: Mapping[str, str], retried_from: str) -> list[tuple[str, bytes]]:
    kept = [(n, v.encode()) for n, v in headers.items() if not n.startswith("x-")]
    return [*kept, ("x-retried-from", retried_from.encode())]


async def retry(bootstrap: str, messages: Sequence[DeadLetterMessage], dsn_for: DsnFor, actor: str,
                note: str | None, fallback_topic: str) -> int:
    """Send `messages` back to the topics they came from; record each. The number sent."""
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        for m in messages:
            target = m.headers.get("x-original-topic") or fallback_topic
            await producer.send_and_wait(target, m.value, key=m.key,
                                         headers=_clean_headers(m.headers, f"{m.topic}@{m.ref}"))
            await _record(m, dsn_for, actor, "retry", note)
    finally:
        await producer.stop()
    return len(messages)


async def drop(messages: Sequence[DeadLetterMessage], dsn_for: DsnFor, actor: str, note: str | None) -> int:
    for m in messages:
        await _record(m, dsn_for, actor, "drop", note)
    return len(messages)


async def _record(m: DeadLetterMessage, dsn_for: DsnFor, actor: str, action: str, note: str | None) -> None:
    owner = m.owner
    if not owner:
        raise SystemExit(f"{m.topic}@{m.ref} names no projection (x-projection): nowhere to record it")
    schema = quote_ident(owner)
    conn = await asyncpg.connect(dsn_for(owner))
    try:
        async with conn.transaction():
            await conn.execute(
                f"INSERT INTO {schema}.dead_letters (projection, source, topic, event_type, stream_id, error)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                m.projection, m.source, m.headers.get("x-original-topic", ""), m.headers.get("ce_eventtype"),
                m.headers.get("ce_streamid"), m.headers.get("x-error", ""))
            await conn.execute(
                f"UPDATE {schema}.dead_letters SET resolution = $3, resolved_by = $4, resolved_at = now()"
                " WHERE projection = $1 AND source = $2",
                m.projection, m.source, "retried" if action == "retry" else "dropped", actor)
            await conn.execute(
                f"INSERT INTO {schema}.dlq_actions (actor, action, dlq_topic, dlq_partition, dlq_offset, projection,"
                " source, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                actor, action, m.topic, m.partition, m.offset, m.projection, m.source, note)
    finally:
        await conn.close()
