"""Test fixtures: a fresh PostgreSQL database per test and a real Tansu broker per session.

PostgreSQL: DATABASE_URL's server if set, else 127.0.0.1:5432, else an embedded one. Every test
gets its own database, dropped afterwards; every Kafka test its own topic names."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from shared.db import Pool, create_pool
from shared.devstack import Broker, database_dsn, resolve_postgres, start_broker
from shared.events import registry
from shared.eventstore import EventStore
from shared.migrations import KERNEL_SQL, apply_migrations, discover

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    dsn, server = resolve_postgres(ROOT / ".run" / "test-postgres")
    yield dsn
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]


@pytest.fixture
async def database_url(pg_admin_dsn: str) -> AsyncIterator[str]:
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(pg_admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_dsn(pg_admin_dsn, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    started = start_broker()
    yield started
    started.stop()


@pytest.fixture
def own_broker() -> Iterator[Broker]:
    """A broker of this test's own (Tansu starts in milliseconds), for tests that run a service with
    its fixed topic names and consumer groups: no other test's events ever reach it."""
    started = start_broker()
    yield started
    started.stop()


@pytest.fixture
def unique() -> str:
    """A suffix making this test's topics, groups and services its own."""
    return uuid.uuid4().hex[:10]


async def migrated_pool(database_url: str, schema: str, extra: Path | None = None) -> Pool:
    folders = [KERNEL_SQL] + ([extra] if extra else [])
    prefixes = ("kernel", schema) if extra else ("kernel",)
    await apply_migrations(database_url, schema, discover(*folders, prefixes=prefixes))
    return await create_pool(database_url, schema, max_size=20)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    created = await migrated_pool(database_url, "svc")
    yield created
    await created.close()


@pytest.fixture
def store(pool: Pool) -> EventStore:
    return EventStore(pool, registry)
