"""SQL migrations: files applied in name order, exactly once per schema, under an advisory lock.

Each service's schema gets the kernel's files (`shared/sql/`) first, then its own
(`services/<name>/migrations/`). A changed file that was already applied is an error, not a rerun.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from shared.db import quote_ident

__all__ = ["KERNEL_SQL", "Migration", "MigrationChanged", "apply_migrations", "discover"]

KERNEL_SQL = Path(__file__).parent / "sql"


class MigrationChanged(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(*folders: Path, prefixes: tuple[str, ...] | None = None) -> list[Migration]:
    """Files of each folder in name order; the folders' order is kept (kernel first)."""
    found: list[Migration] = []
    for index, folder in enumerate(folders):
        prefix = prefixes[index] if prefixes else folder.parent.name
        for path in sorted(folder.glob("*.sql")):
            found.append(Migration(f"{prefix}/{path.name}", path.read_text()))
    return found


async def apply_migrations(dsn: str, schema: str, migrations: list[Migration], *, durable: bool = True) -> list[str]:
    """Apply what is new; return the names applied now. `durable` False: the commits do not wait for
    the WAL's flush (a rebuild's scratch schema, made again from nothing if the server crashes)."""
    conn = await asyncpg.connect(dsn)
    applied_now: list[str] = []
    try:
        if not durable:
            await conn.execute("SET synchronous_commit = off")
        # One migrator per schema at a time, even when several processes start together.
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"migrations:{schema}")
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
        await conn.execute(f"SET search_path TO {quote_ident(schema)}, public")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"]: r["checksum"] for r in await conn.fetch("SELECT name, checksum FROM schema_migrations")}
        for migration in migrations:
            if migration.name in done:
                if done[migration.name] != migration.checksum:
                    raise MigrationChanged(f"{schema}: {migration.name} changed after it was applied")
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                    migration.name,
                    migration.checksum,
                )
            applied_now.append(migration.name)
    finally:
        await conn.close()
    return applied_now
