"""The dev stack's own parts: the embedded PostgreSQL used where none runs, and the broker."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest
from aiokafka.errors import KafkaError

from shared.devstack import Broker, database_dsn, start_broker, start_embedded_postgres
from shared.kafka import ensure_topics, new_producer, topic_size


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


async def test_a_broker_starts_on_a_free_port_and_keeps_its_topics_across_restarts(tmp_path: Path) -> None:
    broker = start_broker(tmp_path / "kafka")
    try:
        await ensure_topics(broker.bootstrap, ["probe.events"], partitions=3)
        assert await topic_size(broker.bootstrap, "probe.events") == 0
        assert await topic_size(broker.bootstrap, "missing.events") is None
        producer = new_producer(broker.bootstrap)
        await producer.start()
        await producer.send_and_wait("probe.events", b"kept", key=b"k")
        await producer.stop()
    finally:
        broker.stop()
    assert broker.process is not None and broker.process.poll() is not None
    again = start_broker(tmp_path / "kafka", port=broker.port)
    try:
        assert await topic_size(again.bootstrap, "probe.events") == 1
    finally:
        again.stop()


async def test_the_broker_creates_no_topic_on_its_own(broker: Broker) -> None:
    """Auto-creation would give a topic the broker's default partitions, splitting an account's events."""
    producer = new_producer(broker.bootstrap, request_timeout_ms=3000)
    await producer.start()
    try:
        with pytest.raises(KafkaError):
            await asyncio.wait_for(producer.send_and_wait(f"never-created-{uuid.uuid4().hex}", b"x"), 10)
    finally:
        await producer.stop()
