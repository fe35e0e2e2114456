"""PostgreSQL connections: one asyncpg pool per service, pinned to the service's own schema."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg

__all__ = [
    "Connection", "Pool", "copy_new_rows", "copy_text", "create_pool", "ensure_database", "init_connection",
    "quote_ident",
]

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Pool: TypeAlias = asyncpg.Pool[asyncpg.Record]
    #: A connection, pooled or not: what every function taking part in a transaction accepts.
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Pool = asyncpg.Pool
    Connection = asyncpg.Connection

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def quote_ident(name: str) -> str:
    """Schema and database names come from settings; only plain lower-case identifiers pass."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


_COPY_NULL = "\\N"


def copy_text(rows: Sequence[Sequence[str | None]], width: int) -> bytes | None:
    """`rows` in COPY's text format, or None if a value is neither text nor None, or holds a character
    that format would have to escape (a backslash, a tab, a line break): rare in a projection's rows,
    and such a set is written by an INSERT instead. Column by column, in C loops (`zip`, `join`,
    `count`): a few hundred nanoseconds a row."""
    if not rows or set(map(len, rows)) != {width}:
        return None
    columns: list[Sequence[str | None]] = list(zip(*rows, strict=True))
    nulls = 0
    for n, column in enumerate(columns):
        if (missing := column.count(None)):
            nulls += missing
            columns[n] = [_COPY_NULL if v is None else v for v in column]
    try:
        text = "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"
    except TypeError:  # a value that is not text
        return None
    if (text.count("\\") != nulls or text.count("\t") != (width - 1) * len(rows)
            or text.count("\n") != len(rows) or "\r" in text):
        return None
    return text.encode()


async def copy_new_rows(conn: Connection, table: str, columns: Sequence[str],
                        rows: Sequence[Sequence[str | None]]) -> bool:
    """COPY `rows` into `table` in a savepoint: True if every row went in; False, with nothing
    written, if one could not (a key already there, a value its column refuses, a value `copy_text`
    cannot carry). The caller then writes them by its own statement (an INSERT ... ON CONFLICT), which
    decides what a duplicate or a bad value does: the COPY is the fast path of rows that are new and
    well formed, as a projection's rows mostly are. Each value is text and is read by its column's
    input function, as a cast from text or from JSON reads it (a time without an offset in the
    session's zone, an amount rounded to the column's scale), so the two paths store the same rows."""
    text = copy_text(rows, len(columns))
    if text is None:
        return False
    try:
        async with conn.transaction():
            # A buffer, sent as it is (asyncpg documents it; its stubs do not): a file object would be read
            # in a thread, and bytes would name a file.
            await conn.copy_to_table(table, source=memoryview(text), columns=list(columns))  # type: ignore[arg-type]
    except asyncpg.PostgresError:
        return False
    return True


async def init_connection(conn: Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(dsn: str, schema: str, *, min_size: int = 1, max_size: int = 10, **kw: Any) -> Pool:
    """A pool whose connections see `schema` first, so service SQL never names its schema."""
    quote_ident(schema)
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        server_settings={"search_path": f"{schema},public", "application_name": f"billing-{schema}"},
        **kw,
    )
    assert pool is not None
    return pool


async def ensure_database(admin_dsn: str, database: str) -> None:
    """Create `database` on the server of `admin_dsn` unless it exists."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await conn.execute(f"CREATE DATABASE {quote_ident(database)}")
    finally:
        await conn.close()
