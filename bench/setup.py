"""The bench's own database (dropped at the end) and Kafka broker (stopped at the end): Apache Kafka
in KRaft mode as `make run` and the tests start it (shared.devstack), unless KAFKA_BOOTSTRAP_SERVERS
names one, or the section run needs none (`environment(kafka=False)`: `python -m bench rebuild`)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg

from shared.db import quote_ident
from shared.devkafka import KAFKA_VERSION
from shared.devstack import Broker, database_dsn, resolve_postgres, start_broker
from shared.migrations import KERNEL_SQL, apply_migrations, discover

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BenchEnv:
    dsn: str
    database: str
    server: str
    bootstrap: str
    own_broker: bool
    #: Seconds our broker took to serve clients, and its process (for CPU figures); None if given.
    broker_started_in: float | None = None
    broker_pid: int | None = None
    #: The server's administrative DSN: a section with a database of its own (bench/invoicing.py).
    admin_dsn: str = ""

    @property
    def kafka(self) -> str:
        if not self.bootstrap:
            return "none (this section uses no broker)"
        if not self.own_broker:
            return f"KAFKA_BOOTSTRAP_SERVERS at {self.bootstrap}"
        return (f"own Apache Kafka {KAFKA_VERSION} (KRaft, one node) at {self.bootstrap},"
                f" started in {self.broker_started_in:.1f} s")


async def migrate(dsn: str, schema: str) -> None:
    """The kernel's tables (events, relay checkpoints...) in `schema`, exactly as services get them."""
    await apply_migrations(dsn, schema, discover(KERNEL_SQL, prefixes=("kernel",)))


def psycopg_params(dsn: str) -> dict[str, str]:
    """The eventsourcing library's POSTGRES_* settings for the same database."""
    parts = urlsplit(dsn)
    query = parse_qs(parts.query)
    host = parts.hostname or query.get("host", ["127.0.0.1"])[0]
    return {
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(parts.port or query.get("port", ["5432"])[0]),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }


@asynccontextmanager
async def environment(kafka: bool = True) -> AsyncIterator[BenchEnv]:
    """`kafka` False: no broker is started (nor a given one used); `bootstrap` is then empty."""
    admin_dsn, embedded = resolve_postgres(ROOT / ".run" / "bench-postgres")
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        version = str(await admin.fetchval("SHOW server_version")).split()[0]
        await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
    finally:
        await admin.close()
    broker: Broker | None = None
    kafka_dir: Path | None = None
    try:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "") if kafka else ""
        if kafka and not bootstrap:
            kafka_dir = Path(tempfile.mkdtemp(prefix="bench-kafka-"))
            broker = await asyncio.to_thread(start_broker, kafka_dir)
            bootstrap = broker.bootstrap
        params = psycopg_params(admin_dsn)
        server = f"PostgreSQL {version} at {params['POSTGRES_HOST']}:{params['POSTGRES_PORT']}"
        yield BenchEnv(database_dsn(admin_dsn, name), name, server, bootstrap, broker is not None,
                       broker.started_in if broker else None,
                       broker.process.pid if broker and broker.process else None, admin_dsn=admin_dsn)
    finally:
        if broker is not None:
            broker.stop()
        if kafka_dir is not None:
            shutil.rmtree(kafka_dir, ignore_errors=True)
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
        finally:
            await admin.close()
        if embedded is not None:
            embedded.cleanup()  # type: ignore[attr-defined]
