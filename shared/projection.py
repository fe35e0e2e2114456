"""Projections: read models built from events; no event is ever lost from a read model.

A projection applies an event and records where it is in the event's stream in the same
transaction (`shared/tracking.py`, rules in `shared/ordering.py`). Per stream it keeps the
contiguous prefix of versions applied:

- version == prefix + 1 is applied, the prefix advances, and the events parked behind it that now
  follow are applied too, in order, in the same transaction;
- a higher version is PARKED (`projection_parked`): the gap is recorded (`projection_gaps`), counted
  (`billing_projection_gaps_total`) and logged, and the event waits for the versions before it;
- a version at or below the prefix is a duplicate and skipped, unless it is one given up on (below):
  then it is applied late, out of order, rather than lost;
- the wait is bounded (`shared/gaps.py`, run by the consumer): once a gap has been open longer than
  the bound, the parked events are applied in order, the versions skipped are recorded as missing
  (`projection_missing`, `billing_projection_missing_versions`) and an error is logged.

So only an event that was applied moves its stream's mark. What reaches `apply_one` has already been
checked against the producer's published contract by the consumer (`shared/contracts.py`): a message
of an unknown type, with inconsistent headers or a payload `apply` refuses goes to `<topic>.dlq` and
leaves the stream's state alone. Replays from a store (`apply_batch`) arrive in order and simply
advance. Per-stream order is kept by Kafka's key, so a gap means an event went missing or late
upstream (dead-lettered, a broker that lost data, a republish); ops repair it from the store.

Batched apply (`apply_events`, used by rebuilds and by the Kafka consumer alike): a projection may
declare `bulk = {event_type: handler}`, each handler applying several events of one type with a few
set-based statements. Declaring it promises that events of different streams commute (each stream's
events touch only rows no other stream's events change, or change them additively). The events
that are simply next in their stream (the usual case) are then applied in *waves*: wave k holds the
k-th such event of every stream of the batch, so a wave has at most one event per stream; within a
wave the events of a type with a handler go to it in one call, the others to `apply` one by one,
and wave k+1 starts after wave k. Per-stream order is kept, and a type nobody wrote a handler for
is still applied exactly as before. Anything else (a gap, a late version, parked events to release)
takes the one-event path above. A handler may `defer` an additive write (a balance moved by a sum)
to the end of the waves, so one statement moves each row once per batch instead of once per wave;
what was deferred is written before any event goes through `apply` and before the waves end (so no
handler may read what it or another handler deferred). A rebuild's pass, the only writer of its
scratch tables, keeps what was deferred across its batches instead (`deferring`): each row moved
once per pass (or per `flush_deferred` when what waits grows large), not once per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Protocol

from shared.db import Connection, Pool
from shared.incoming import IncomingEvent
from shared.logging import get_logger
from shared.metrics import PROJECTION_APPLIED, PROJECTION_GAPS
from shared.ordering import Decision
from shared.tracking import StreamTracker

__all__ = [
    "BulkApply",
    "DeadLetter",
    "IncomingEvent",
    "Projection",
    "StreamTracker",
    "apply_batch",
    "apply_events",
    "apply_one",
    "apply_parked",
    "bulk_handlers",
    "defer",
    "deferring",
    "flush_deferred",
    "wait_for_stream",
]

log = get_logger(__name__)

#: Where a parked event that `apply` refuses goes (the consumer's DLQ); its error is the second argument.
DeadLetter = Callable[[IncomingEvent, Exception], Awaitable[None]]
#: Applies several events of one type, at most one per stream, in one go (see the module's doc).
BulkApply = Callable[[Connection, Sequence[IncomingEvent]], Awaitable[None]]
#: Writes items a handler deferred (`defer`), all at once.
Flush = Callable[[Connection, list[Any]], Awaitable[None]]
_deferred: ContextVar[dict[Flush, list[Any]] | None] = ContextVar("deferred_writes", default=None)


def defer(flush: Flush, items: Sequence[Any]) -> bool:
    """Inside the waves of `apply_events`: keep `items` for `flush` (which must add them up, in any
    order) until the waves end or an event goes through `apply`; True. Elsewhere False: write now."""
    pending = _deferred.get()
    if pending is None:
        return False
    pending.setdefault(flush, []).extend(items)
    return True


async def _flush_deferred(conn: Connection) -> None:
    pending = _deferred.get()
    if pending:
        for flush, items in list(pending.items()):
            del pending[flush]
            await flush(conn, items)


@contextlib.contextmanager
def deferring() -> Iterator[None]:
    """Inside: what handlers defer waits across `apply_events` calls (still written before any event
    goes through `apply`) until `flush_deferred`, which the caller runs in its last transaction
    before the block ends (what is left unflushed at the end is dropped, like a rolled-back write).
    For a writer no one else reads or writes meanwhile: a rebuild's pass into its scratch tables."""
    token = _deferred.set({})
    try:
        yield
    finally:
        _deferred.reset(token)


async def flush_deferred(conn: Connection, at_least: int = 0) -> None:
    """Write what waits in `deferring`, if it is `at_least` items (a bound on the memory it takes)."""
    pending = _deferred.get()
    if pending and sum(len(items) for items in pending.values()) >= at_least:
        await _flush_deferred(conn)


class Projection(Protocol):
    """A read model. `apply` runs inside the transaction that also records the event as applied;
    events of its topics it does not care about are simply ignored by it (and count as applied: they
    are real events of the stream). It raises on a payload it cannot read."""

    @property
    def name(self) -> str: ...

    @property
    def topics(self) -> Sequence[str]: ...

    async def apply(self, conn: Connection, event: IncomingEvent) -> None: ...


async def apply_one(
    conn: Connection, projection: Projection, tracker: StreamTracker, event: IncomingEvent,
    dead_letter: DeadLetter | None = None,
) -> int:
    """Apply `event` in its stream's order; the number of events applied (parked ones it released
    included). Raises what `apply` raises for `event` itself: the caller's savepoint undoes it and the
    caller restores the tracker (`StreamTracker.snapshot`)."""
    decision = tracker.decide(event)
    if decision is Decision.DUPLICATE:
        return 0
    if decision is Decision.PARK:
        await _park(conn, projection, tracker, event)
        return 0
    await projection.apply(conn, event)
    _applied(projection, event)
    if decision is Decision.LATE:
        tracker.fill(event)
        log.warning("projection.late_version_applied", projection=projection.name, stream_id=event.stream_id,
                    stream_version=event.stream_version)
        return 1
    tracker.advance(event)
    return 1 + await _drain(conn, projection, tracker, event.stream_id, dead_letter)


async def apply_parked(
    conn: Connection, projection: Projection, tracker: StreamTracker, event: IncomingEvent,
    dead_letter: DeadLetter | None,
) -> bool:
    """Apply a parked event that is next in its stream, in a savepoint; one `apply` refuses goes to
    `dead_letter` and its version stays unapplied (a hole, like any lost event)."""
    try:
        async with conn.transaction():
            await projection.apply(conn, event)
    except Exception as error:
        log.error("projection.parked_event_failed", projection=projection.name, stream_id=event.stream_id,
                  stream_version=event.stream_version, error=repr(error))
        if dead_letter is not None:
            await dead_letter(event, error)
        return False
    tracker.advance(event)
    _applied(projection, event)
    return True


async def _drain(
    conn: Connection, projection: Projection, tracker: StreamTracker, stream_id: str,
    dead_letter: DeadLetter | None,
) -> int:
    applied = 0
    while (version := tracker.state(stream_id).next_parked()) is not None:
        event = await tracker.unpark(conn, stream_id, version)
        if event is None or not await apply_parked(conn, projection, tracker, event, dead_letter):
            break
        applied += 1
    return applied


async def _park(conn: Connection, projection: Projection, tracker: StreamTracker, event: IncomingEvent) -> None:
    expected = tracker.state(event.stream_id).applied + 1
    if not await tracker.park(conn, event):
        log.info("projection.parked", projection=projection.name, stream_id=event.stream_id,
                 expected=expected, received=event.stream_version)
        return
    PROJECTION_GAPS.labels(projection.name).inc()
    log.warning("projection.gap", projection=projection.name, stream_id=event.stream_id,
                expected=expected, received=event.stream_version)
    await conn.execute(
        "INSERT INTO projection_gaps (projection, stream_id, expected, received) VALUES ($1, $2, $3, $4)",
        projection.name, event.stream_id, expected, event.stream_version,
    )


def _applied(projection: Projection, event: IncomingEvent) -> None:
    PROJECTION_APPLIED.labels(projection.name).inc()
    log.debug("projection.applied", projection=projection.name, event_type=event.event_type,
              stream_id=event.stream_id, stream_version=event.stream_version)


def bulk_handlers(projection: Projection) -> Mapping[str, BulkApply]:
    """The projection's `bulk` handlers by event type (none: every event goes through `apply`)."""
    return getattr(projection, "bulk", None) or {}


async def apply_events(
    conn: Connection, projection: Projection, tracker: StreamTracker, events: Sequence[IncomingEvent],
    dead_letter: DeadLetter | None = None,
) -> int:
    """Apply `events` in their streams' order, inside the caller's transaction with `tracker` loaded
    for their streams; the number applied. With `bulk` handlers the events next in their stream are
    applied in waves (module doc); without, one by one (`apply_one`). Raises what a handler or
    `apply` raises: the caller rolls back and reloads the tracker."""
    if not bulk_handlers(projection):
        await _flush_deferred(conn)
        applied = 0
        for event in events:
            applied += await apply_one(conn, projection, tracker, event, dead_letter)
        return applied
    applied = 0
    ready: list[IncomingEvent] = []
    for event in events:
        state = tracker.state(event.stream_id)
        decision = state.decide(event.stream_version)
        if decision is Decision.DUPLICATE:
            continue
        if decision is Decision.NEXT and not state.parked:
            tracker.advance(event)  # applied with its wave below, in this transaction
            ready.append(event)
            continue
        applied += await _apply_waves(conn, projection, ready)
        ready = []
        await _flush_deferred(conn)
        applied += await apply_one(conn, projection, tracker, event, dead_letter)
    return applied + await _apply_waves(conn, projection, ready)


async def _apply_waves(conn: Connection, projection: Projection, events: Sequence[IncomingEvent]) -> int:
    if not events:
        return 0
    handlers = bulk_handlers(projection)
    waves: list[dict[str, list[IncomingEvent]]] = []
    depth: dict[str, int] = {}
    for event in events:
        k = depth.get(event.stream_id, 0)
        depth[event.stream_id] = k + 1
        if k == len(waves):
            waves.append({})
        waves[k].setdefault(event.event_type, []).append(event)
    outer = _deferred.get() is not None  # inside `deferring`: its owner flushes
    token = None if outer else _deferred.set({})
    try:
        for wave in waves:
            for event_type, of_type in wave.items():
                handler = handlers.get(event_type)
                if handler is not None:
                    await handler(conn, of_type)
                    continue
                await _flush_deferred(conn)
                for event in of_type:
                    await projection.apply(conn, event)
        if not outer:
            await _flush_deferred(conn)
    finally:
        if token is not None:
            _deferred.reset(token)
    PROJECTION_APPLIED.labels(projection.name).inc(len(events))
    if not log.is_enabled_for(logging.DEBUG):
        return len(events)
    for event in events:  # the line `apply_one` logs, with the event's own correlation id
        log.debug("projection.applied", projection=projection.name, event_type=event.event_type,
                  stream_id=event.stream_id, stream_version=event.stream_version,
                  **({"correlation_id": event.correlation_id} if event.correlation_id else {}))
    return len(events)


async def apply_batch(pool: Pool, projection: Projection, events: Sequence[IncomingEvent]) -> int:
    """Apply a batch in one transaction (used by replays; Kafka consumers add checks, retries and DLQ).
    The number of events applied."""
    async with pool.acquire() as conn, conn.transaction():
        tracker = StreamTracker(projection.name)
        await tracker.load(conn, {e.stream_id for e in events})
        applied = await apply_events(conn, projection, tracker, events)
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
