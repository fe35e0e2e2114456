"""Projections: read models built from events, each event applied exactly once per projection.

A projection applies an event and records the `(stream_id, stream_version)` it applied in the
same transaction. A redelivered event (at-least-once Kafka, a relay that republished, a replay)
is therefore skipped, and a version that jumps ahead is recorded as a gap, logged and counted,
then applied: per-stream order is kept by Kafka's key, so a gap means an event went missing
upstream (dead-lettered, or a topic lost), which ops can repair by replaying from the store.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from shared.cloudevents import CloudEventHeaders
from shared.db import Connection, Pool
from shared.eventstore import RecordedEvent
from shared.logging import get_logger
from shared.metrics import PROJECTION_APPLIED, PROJECTION_GAPS

__all__ = ["IncomingEvent", "Projection", "StreamTracker", "apply_batch", "wait_for_stream"]

log = get_logger(__name__)


@dataclass(frozen=True)
class IncomingEvent:
    """An event as a consumer sees it: what the CloudEvents headers say and the JSON payload.

    Consumers in other services read payloads with their own models of the fields they need
    (they never import the producer's classes)."""

    event_id: str
    source: str
    event_type: str
    schema_version: int
    stream_id: str
    stream_version: int
    global_position: int | None
    subject: str | None
    occurred_at: datetime
    payload: dict[str, Any]
    correlation_id: str | None = None

    @classmethod
    def from_headers(cls, headers: CloudEventHeaders, payload: dict[str, Any]) -> IncomingEvent:
        return cls(
            event_id=headers.id,
            source=headers.source,
            event_type=headers.event_type,
            schema_version=headers.schema_version,
            stream_id=headers.stream_id,
            stream_version=headers.stream_version,
            global_position=headers.global_position,
            subject=headers.subject,
            occurred_at=headers.time,
            payload=payload,
            correlation_id=headers.correlation_id,
        )

    @classmethod
    def from_recorded(cls, service: str, event: RecordedEvent) -> IncomingEvent:
        return cls(
            event_id=str(event.event_id),
            source=f"/billing/{service}",
            event_type=event.event_type,
            schema_version=event.schema_version,
            stream_id=event.stream_id,
            stream_version=event.stream_version,
            global_position=event.global_position,
            subject=event.partition_key,
            occurred_at=event.occurred_at,
            payload=event.payload,
            correlation_id=event.metadata.get("correlation_id"),
        )


class Projection(Protocol):
    """A read model. `apply` runs inside the transaction that also records the event as applied;
    events the projection does not care about are simply ignored by it."""

    @property
    def name(self) -> str: ...

    @property
    def topics(self) -> Sequence[str]: ...

    async def apply(self, conn: Connection, event: IncomingEvent) -> None: ...


class StreamTracker:
    """The per-stream versions one projection has applied, loaded for a batch, saved with it."""

    def __init__(self, projection: str) -> None:
        self.projection = projection
        self._versions: dict[str, int] = {}
        self._positions: dict[str, int | None] = {}
        self._dirty: set[str] = set()

    async def load(self, conn: Connection, stream_ids: set[str]) -> None:
        rows = await conn.fetch(
            "SELECT stream_id, stream_version FROM projection_streams"
            " WHERE projection = $1 AND stream_id = ANY($2::text[])",
            self.projection,
            list(stream_ids),
        )
        self._versions = {r["stream_id"]: r["stream_version"] for r in rows}
        self._dirty.clear()

    def status(self, event: IncomingEvent) -> str:
        """'duplicate', 'next' or 'gap'."""
        last = self._versions.get(event.stream_id, 0)
        if event.stream_version <= last:
            return "duplicate"
        return "next" if event.stream_version == last + 1 else "gap"

    def expected(self, event: IncomingEvent) -> int:
        return self._versions.get(event.stream_id, 0) + 1

    def mark(self, event: IncomingEvent) -> None:
        self._versions[event.stream_id] = event.stream_version
        self._positions[event.stream_id] = event.global_position
        self._dirty.add(event.stream_id)

    async def save(self, conn: Connection) -> None:
        if not self._dirty:
            return
        ids = sorted(self._dirty)
        await conn.execute(
            "INSERT INTO projection_streams (projection, stream_id, stream_version, global_position)"
            " SELECT $1, s, v, p FROM unnest($2::text[], $3::int[], $4::bigint[]) AS t(s, v, p)"
            " ON CONFLICT (projection, stream_id) DO UPDATE SET stream_version = excluded.stream_version,"
            " global_position = excluded.global_position, updated_at = now()",
            self.projection,
            ids,
            [self._versions[i] for i in ids],
            [self._positions.get(i) for i in ids],
        )
        self._dirty.clear()


async def apply_one(
    conn: Connection, projection: Projection, tracker: StreamTracker, event: IncomingEvent
) -> bool:
    """Apply `event` unless already applied; True if applied. Raises what `apply` raises,
    leaving the caller's savepoint to undo it."""
    status = tracker.status(event)
    if status == "duplicate":
        return False
    if status == "gap":
        expected = tracker.expected(event)
        PROJECTION_GAPS.labels(projection.name).inc()
        log.warning(
            "projection.gap",
            projection=projection.name,
            stream_id=event.stream_id,
            expected=expected,
            received=event.stream_version,
        )
        await conn.execute(
            "INSERT INTO projection_gaps (projection, stream_id, expected, received) VALUES ($1, $2, $3, $4)",
            projection.name,
            event.stream_id,
            expected,
            event.stream_version,
        )
    await projection.apply(conn, event)
    tracker.mark(event)
    PROJECTION_APPLIED.labels(projection.name).inc()
    log.debug("projection.applied", projection=projection.name, event_type=event.event_type,
              stream_id=event.stream_id, stream_version=event.stream_version)
    return True


async def apply_batch(pool: Pool, projection: Projection, events: Sequence[IncomingEvent]) -> int:
    """Apply a batch in one transaction (used by replays; Kafka consumers add retries and DLQ)."""
    applied = 0
    async with pool.acquire() as conn, conn.transaction():
        tracker = StreamTracker(projection.name)
        await tracker.load(conn, {e.stream_id for e in events})
        for event in events:
            applied += await apply_one(conn, projection, tracker, event)
        await tracker.save(conn)
    return applied


async def wait_for_stream(
    pool: Pool, projection: str, stream_id: str, version: int, timeout: float = 2.0
) -> bool:
    """Read-your-writes: wait, briefly and bounded, until `projection` has applied `version`."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        applied = await pool.fetchval(
            "SELECT stream_version FROM projection_streams WHERE projection = $1 AND stream_id = $2",
            projection,
            stream_id,
        )
        if applied is not None and applied >= version:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
