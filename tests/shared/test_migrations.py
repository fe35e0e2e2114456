from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from shared.migrations import Migration, MigrationChanged, apply_migrations


async def test_migrations_apply_in_order_exactly_once(database_url: str) -> None:
    migrations = [
        Migration("svc/001_a.sql", "CREATE TABLE a (id int)"),
        Migration("svc/002_b.sql", "INSERT INTO a VALUES (1)"),
    ]
    assert await apply_migrations(database_url, "svc", migrations) == ["svc/001_a.sql", "svc/002_b.sql"]
    assert await apply_migrations(database_url, "svc", migrations) == []
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM svc.a") == 1
    finally:
        await conn.close()


async def test_a_changed_applied_migration_is_an_error(database_url: str) -> None:
    await apply_migrations(database_url, "svc", [Migration("svc/001.sql", "CREATE TABLE a (id int)")])
    with pytest.raises(MigrationChanged):
        await apply_migrations(database_url, "svc", [Migration("svc/001.sql", "CREATE TABLE a (id bigint)")])


async def test_a_failing_migration_leaves_nothing_half_done(database_url: str, tmp_path: Path) -> None:
    bad = [Migration("svc/001.sql", "CREATE TABLE ok (id int)"),
           Migration("svc/002.sql", "CREATE TABLE half (id int); SELECT nope")]
    with pytest.raises(asyncpg.PostgresError):
        await apply_migrations(database_url, "svc", bad)
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT to_regclass('svc.half')") is None
        assert await conn.fetchval("SELECT count(*) FROM svc.schema_migrations") == 1
    finally:
        await conn.close()
