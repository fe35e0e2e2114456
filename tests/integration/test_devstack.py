"""The dev stack's own parts: the embedded PostgreSQL used where none runs, and the broker."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from shared.devstack import database_dsn, start_broker, start_embedded_postgres
from shared.kafka import ensure_topics, topic_size


async def test_an_embedded_postgres_starts_where_none_is_given(tmp_path: Path) -> None:
    dsn, server = start_embedded_postgres(tmp_path / "pg", cleanup_mode="delete")
    try:
        admin = await asyncpg.connect(dsn)
        await admin.execute("CREATE DATABASE billing_probe")
        await admin.close()
        conn = await asyncpg.connect(database_dsn(dsn, "billing_probe"))
        assert await conn.fetchval("SELECT pg_current_xact_id() IS NOT NULL")
        await conn.close()
    finally:
        server.cleanup()


async def test_a_broker_starts_on_a_free_port_and_keeps_topics_until_stopped() -> None:
    broker = start_broker()
    try:
        await ensure_topics(broker.bootstrap, ["probe.events"], partitions=3)
        assert await topic_size(broker.bootstrap, "probe.events") == 0
        assert await topic_size(broker.bootstrap, "missing.events") is None
    finally:
        broker.stop()
    assert broker.process is not None and broker.process.poll() is not None
