"""Rebuild a projection from the event stores into fresh tables, then swap them in atomically.

1. A scratch schema `<schema>_rebuild` gets the service's migrations (fresh, empty tables).
2. Every event of the source stores is applied to it, in each store's commit order, through the
   projection's own `apply` (so the rebuilt tables are exactly what the live projection would hold).
3. One transaction drops the live tables of the projection, moves the rebuilt ones in, and replaces
   the projection's rows in the tracking tables (`projection_streams`, `_gaps`, `_parked`, `_missing`:
   the store has every version, so nothing is waiting or missing any more). Dropping (not renaming) means
   every cached plan on the old tables is invalidated; the services re-plan against the new ones.
4. Events that arrived meanwhile are applied again from where step 2 stopped: the live consumer may
   have applied them to the old tables only; the stores have them all, and per-stream versions make
   a second application a no-op.
Side effects never fire: a projection only writes its own tables.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import asyncpg

from shared.db import create_pool, quote_ident
from shared.events import registry
from shared.eventstore import CommitPosition, EventStore
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from shared.projection import IncomingEvent, Projection, apply_batch

__all__ = ["load_projection", "rebuild_projection", "source_services"]

ROOT = Path(__file__).resolve().parents[2]
Progress = Callable[[str, int], None]


def load_projection(path: str) -> Projection:
    """`package.module:ClassName` of a projection constructible without arguments."""
    module_name, _, class_name = path.partition(":")
    projection: Projection = getattr(importlib.import_module(module_name), class_name)()
    if not getattr(projection, "tables", None):
        raise SystemExit(f"{path} does not declare the tables it owns (`tables = (...)`)")
    return projection


def source_services(projection: Projection) -> list[str]:
    """The stores a projection is built from: `billing.<service>.events` topics name them."""
    return [t.split(".")[1] for t in projection.topics if t.startswith("billing.") and t.endswith(".events")]


async def rebuild_projection(
    dsn: str, projection: Projection, schema: str, migrations: Path, progress: Progress | None = None,
    source_databases: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Rebuild `projection`, whose tables are in `schema` of the database `dsn`, from the stores
    it reads; each store in its service's database (`source_databases`, by service), else in `dsn`.
    A service whose store does not exist there (never started yet, e.g. one a projection already
    reads by contract before it is deployed) has published nothing: it contributes no events."""
    scratch = f"{schema}_rebuild"
    sources = [name for name in source_services(projection)
               if await _store_exists((source_databases or {}).get(name, dsn), name)]
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f"DROP SCHEMA IF EXISTS {quote_ident(scratch)} CASCADE")
    finally:
        await admin.close()
    await apply_migrations(dsn, scratch, discover(KERNEL_SQL, migrations, prefixes=("kernel", schema)))
    target = await create_pool(dsn, scratch, max_size=2)
    stores = {name: await create_pool((source_databases or {}).get(name, dsn), name, max_size=2)
              for name in sources}
    try:
        reached = {name: CommitPosition() for name in sources}
        applied = await _apply_sources(stores, target, projection, reached, progress)
        await _swap(dsn, projection, schema, scratch)
        live = await create_pool(dsn, schema, max_size=2)
        try:
            applied_after = await _apply_sources(stores, live, projection, reached, progress)
        finally:
            await live.close()
    finally:
        await target.close()
        for pool in stores.values():
            await pool.close()
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f"DROP SCHEMA IF EXISTS {quote_ident(scratch)} CASCADE")
    finally:
        await admin.close()
    return {"applied": applied, "caught_up_after_swap": applied_after}


async def _store_exists(dsn: str, service: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        return bool(await conn.fetchval("SELECT to_regclass(format('%I.events', $1::text)) IS NOT NULL", service))
    finally:
        await conn.close()


async def _apply_sources(
    stores: dict[str, Any], target: Any, projection: Projection,
    reached: dict[str, CommitPosition], progress: Progress | None,
) -> int:
    applied = 0
    for name, pool in stores.items():
        store = EventStore(pool, registry)
        if not await store.wait_until_readable():
            raise RuntimeError(f"a transaction on the cluster keeps {name}'s newest events unreadable")
        async for batch in store.iterate_all(reached[name], batch=2000):
            applied += await apply_batch(target, projection, [IncomingEvent.from_recorded(name, e) for e in batch])
            reached[name] = batch[-1].commit_position
            if progress:
                progress(name, len(batch))
    return applied


async def _swap(dsn: str, projection: Projection, schema: str, scratch: str) -> None:
    live, new = quote_ident(schema), quote_ident(scratch)
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            for table in projection.tables:  # type: ignore[attr-defined]
                t = quote_ident(table)
                await conn.execute(f"DROP TABLE IF EXISTS {live}.{t} CASCADE")
                await conn.execute(f"ALTER TABLE {new}.{t} SET SCHEMA {live}")
            for tracking in ("projection_streams", "projection_gaps", "projection_parked", "projection_missing"):
                await conn.execute(f"DELETE FROM {live}.{tracking} WHERE projection = $1", projection.name)
                await conn.execute(
                    f"INSERT INTO {live}.{tracking} SELECT * FROM {new}.{tracking} WHERE projection = $1",
                    projection.name,
                )
    finally:
        await conn.close()
