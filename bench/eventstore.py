"""Appends through our EventStore beside the raw limits of the same table shape.

- ours:   EventStore.append in its own transaction (BEGIN, the append statement, COMMIT); each
          writer appends to its own stream with the expected version, like a command handler.
- INSERT: a plain INSERT of the same columns into an identical `events` table (schema `raw`,
          built by the same migrations), in BEGIN/COMMIT; batches use executemany in one
          transaction. No version check, payload dicts built once.
- COPY:   asyncpg copy_records_to_table into that table, one transaction per batch. COPY is
          binary-only in asyncpg, and the text jsonb codec of shared.db.init_connection has no
          binary encoder ("no binary format encoder for type jsonb"), so the COPY pool has its
          own binary jsonb codec: the version byte 0x01 followed by the JSON text.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import asyncpg

from bench.common import NOW, Sample, payment, run_async
from bench.setup import migrate
from shared.db import Connection, create_pool
from shared.events import EventRegistry
from shared.eventstore import EventStore, Metadata

__all__ = ["Targets", "measure", "open_targets"]

WRITERS = 8
COLUMNS = ["stream_id", "stream_type", "stream_version", "event_id", "event_type", "schema_version",
           "partition_key", "payload", "metadata", "occurred_at"]
INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join(f'${i}' for i in range(1, 11))})"
METADATA = Metadata(correlation_id="7f3e2c1a-0b4d-4e5f-9a8b-1c2d3e4f5a6b", actor="bench")

Op = Callable[[], Awaitable[None]]


@dataclass
class Targets:
    store: EventStore
    raw: asyncpg.Pool
    copy: asyncpg.Pool

    async def close(self) -> None:
        for pool in (self.store.pool, self.raw, self.copy):
            await pool.close()


async def _binary_jsonb(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb", schema="pg_catalog", format="binary",
        encoder=lambda value: b"\x01" + json.dumps(value).encode(),
        decoder=lambda data: json.loads(data[1:]),
    )


async def open_targets(dsn: str) -> Targets:
    await migrate(dsn, "ours")
    await migrate(dsn, "raw")
    ours = await create_pool(dsn, "ours", min_size=WRITERS, max_size=WRITERS)
    raw = await create_pool(dsn, "raw", min_size=WRITERS, max_size=WRITERS)
    copy = await asyncpg.create_pool(dsn, min_size=WRITERS, max_size=WRITERS, init=_binary_jsonb,
                                     server_settings={"search_path": "raw,public"})
    assert copy is not None
    return Targets(EventStore(ours, EventRegistry()), raw, copy)


def _ours(targets: Targets, batch: int) -> Op:
    stream = f"account-{uuid.uuid4()}"
    events = [payment(stream, n) for n in range(batch)]
    version = 0

    async def op() -> None:
        nonlocal version
        async with targets.store.pool.acquire() as conn, conn.transaction():
            await targets.store.append(cast(Connection, conn), stream_id=stream, stream_type="Account",
                                       expected_version=version, events=events,
                                       metadata=METADATA, occurred_at=NOW)
        version += batch

    return op


def _rows(batch: int) -> Callable[[], list[tuple[Any, ...]]]:
    """Rows like ours: a fresh event id each, consecutive versions of the writer's own stream."""
    stream = f"account-{uuid.uuid4()}"
    payloads = [payment(stream, n).to_payload() for n in range(batch)]
    metadata = METADATA.as_dict()
    version = 0

    def rows() -> list[tuple[Any, ...]]:
        nonlocal version
        made = [(stream, "Account", version + n + 1, uuid.uuid4(), "PaymentRegistered", 1, stream,
                 payloads[n], metadata, NOW) for n in range(batch)]
        version += batch
        return made

    return rows


def _insert(targets: Targets, batch: int) -> Op:
    rows = _rows(batch)

    async def op() -> None:
        async with targets.raw.acquire() as conn, conn.transaction():
            if batch == 1:
                await conn.execute(INSERT, *rows()[0])
            else:
                await conn.executemany(INSERT, rows())

    return op


def _copy(targets: Targets, batch: int) -> Op:
    rows = _rows(batch)

    async def op() -> None:
        async with targets.copy.acquire() as conn, conn.transaction():
            await conn.copy_records_to_table("events", records=rows(), columns=COLUMNS, schema_name="raw")

    return op


KINDS: dict[str, Callable[[Targets, int], Op]] = {"ours": _ours, "insert": _insert, "copy": _copy}


async def measure(kind: str, targets: Targets, writers: int, batch: int, duration: float) -> Sample:
    return await run_async(lambda: KINDS[kind](targets, batch), writers, batch, duration)
