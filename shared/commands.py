"""The one way to run a command: load the aggregate, decide, append, in one transaction.

A command handler gives `execute` the stream, the aggregate class and a `decide` function that
returns new events or raises a DomainError. `execute` retries a version conflict a bounded number
of times (the loser re-reads and decides again), records the result under the idempotency key in
the same transaction, and lets the caller schedule timers or update local tables in that
transaction too (`in_transaction`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from shared.aggregate import Aggregate
from shared.db import Connection
from shared.errors import ConcurrencyConflict
from shared.events import DomainEvent
from shared.eventstore import EventStore, Metadata, RecordedEvent, fingerprint

__all__ = ["CommandResult", "execute", "load_aggregate", "load_aggregates", "scoped_key"]

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class CommandResult:
    """What a command answers: where its events landed (for read-your-writes) and its body."""

    stream_id: str
    stream_version: int
    last_position: int
    event_ids: list[str] = field(default_factory=list)
    body: dict[str, Any] = field(default_factory=dict)
    repeated: bool = False

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("repeated")
        return data


def scoped_key(key: str | None, *scope: str | None) -> str | None:
    """The key a command is remembered under: the client's key within its scope (who acts, which
    command, on what), so two callers' keys, or one key sent to two commands, never meet. None
    without a key: the command is not deduplicated."""
    return None if key is None else ":".join((*(part or "" for part in scope), key))


async def load_aggregate(store: EventStore, conn: Connection, cls: type[A], stream_id: str) -> A:
    """The aggregate as of its last event: from its latest usable snapshot plus later events."""
    aggregate = cls(stream_id)
    if cls.snapshot_every:
        snapshot = await store.load_snapshot(conn, stream_id)
        if snapshot is not None and snapshot[1].get("_schema") == cls.snapshot_schema:
            aggregate.restore_state(snapshot[1]["state"])
            aggregate.version = snapshot[0]
    recorded = await store.read_stream(stream_id, after_version=aggregate.version, conn=conn)
    aggregate.replay([r.to_domain(store.registry) for r in recorded])
    return aggregate


async def load_aggregates(store: EventStore, conn: Connection, cls: type[A], stream_ids: Iterable[str]) -> dict[str, A]:
    """`load_aggregate` for a batch of streams, in two queries (their snapshots, then later events)."""
    aggregates = {stream_id: cls(stream_id) for stream_id in stream_ids}
    if cls.snapshot_every:
        for stream_id, (version, state) in (await store.load_snapshots(conn, aggregates)).items():
            if state.get("_schema") == cls.snapshot_schema:
                aggregates[stream_id].restore_state(state["state"])
                aggregates[stream_id].version = version
    recorded = await store.read_streams(conn, {s: a.version for s, a in aggregates.items()})
    for stream_id, events in recorded.items():
        aggregates[stream_id].replay([r.to_domain(store.registry) for r in events])
    return aggregates


async def _maybe_snapshot(store: EventStore, conn: Connection, aggregate: Aggregate, before: int) -> None:
    every = type(aggregate).snapshot_every
    if every and aggregate.version // every > before // every:
        state = {"_schema": type(aggregate).snapshot_schema, "state": aggregate.snapshot_state()}
        await store.save_snapshot(conn, aggregate.stream_id, aggregate.version, state)


async def execute(
    store: EventStore,
    cls: type[A],
    stream_id: str,
    decide: Callable[[A], Sequence[DomainEvent]],
    *,
    metadata: Metadata,
    now: datetime,
    idempotency_key: str | None = None,
    request: Any = None,
    respond: Callable[[A, list[RecordedEvent]], dict[str, Any]] | None = None,
    in_transaction: Callable[[Connection, A, list[RecordedEvent]], Awaitable[None]] | None = None,
    attempts: int = 8,
) -> CommandResult:
    for attempt in range(attempts):
        try:
            return await _execute_once(
                store, cls, stream_id, decide, metadata, now, idempotency_key, request, respond, in_transaction
            )
        except ConcurrencyConflict:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")


async def _execute_once(
    store: EventStore,
    cls: type[A],
    stream_id: str,
    decide: Callable[[A], Sequence[DomainEvent]],
    metadata: Metadata,
    now: datetime,
    idempotency_key: str | None,
    request: Any,
    respond: Callable[[A, list[RecordedEvent]], dict[str, Any]] | None,
    in_transaction: Callable[[Connection, A, list[RecordedEvent]], Awaitable[None]] | None,
) -> CommandResult:
    async with store.pool.acquire() as conn, conn.transaction():
        if idempotency_key is not None:
            first = await store.claim_idempotency_key(conn, idempotency_key, fingerprint(request))
            if first is not None:
                return CommandResult(**first, repeated=True)
        aggregate = await load_aggregate(store, conn, cls, stream_id)
        expected = aggregate.version
        new_events = list(decide(aggregate))
        recorded = await store.append(
            conn,
            stream_id=stream_id,
            stream_type=cls.stream_type,
            expected_version=expected,
            events=new_events,
            metadata=metadata,
            occurred_at=now,
        )
        aggregate.replay(new_events)
        await _maybe_snapshot(store, conn, aggregate, expected)
        if in_transaction is not None:
            await in_transaction(conn, aggregate, recorded)
        result = CommandResult(
            stream_id=stream_id,
            stream_version=aggregate.version,
            last_position=recorded[-1].global_position if recorded else 0,
            event_ids=[str(r.event_id) for r in recorded],
            body=respond(aggregate, recorded) if respond else {},
        )
        if idempotency_key is not None:
            await store.remember_result(conn, idempotency_key, result.as_dict())
        return result
