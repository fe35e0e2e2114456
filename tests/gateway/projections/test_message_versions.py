"""MessageFailed version 2 (`refused`): stored version-1 events read as version 2 through the
upcaster, and the cabinet's messages rebuilt from a store holding both versions show each right."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from services.gateway.projections.messages import CabinetMessages, message_list
from services.notifications.domain.events import MessageFailed, MessageQueued
from services.notifications.domain.message import Message
from shared.db import create_pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.ops.rebuild import rebuild_projection
from tests.conftest import migrated_pool

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "gateway" / "migrations"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def queued(message_id: str) -> dict[str, Any]:
    return MessageQueued(
        message_id=message_id, account_id="1015", account_ids=["1015"], topic="payment_received",
        template="payment_received", channel="sms", address_masked="+7911***1015", language="ru",
        source_event_id=str(uuid.uuid4()), source_event_type="PaymentRegistered", urgent=False, queued_at=T0,
        send_after=T0, text="Платёж 150.00 зачислен",
    ).to_payload()


async def test_version_1_reads_as_version_2_and_a_rebuild_shows_both(database_url: str) -> None:
    store_pool = await migrated_pool(database_url, "notifications")
    (await migrated_pool(database_url, "gateway", MIGRATIONS)).terminate()
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    # What the service stored before version 2 (no `refused`), and what it stores now.
    failed_v1 = {"message_id": old, "account_id": "1015", "account_ids": ["1015"], "channel": "sms",
                 "attempts": 5, "reason": "gateway: timeout", "failed_at": (T0 + timedelta(hours=1)).isoformat()}
    failed_v2 = MessageFailed(message_id=new, account_id="1015", account_ids=["1015"], channel="sms", attempts=1,
                              reason="gateway: no such number", failed_at=T0 + timedelta(hours=2),
                              refused=True).to_payload()
    rows = [(old, 1, "MessageQueued", 1, queued(old)), (old, 2, "MessageFailed", 1, failed_v1),
            (new, 1, "MessageQueued", 1, queued(new)), (new, 2, "MessageFailed", 2, failed_v2)]
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "notifications"})
    try:
        for n, (message_id, version, kind, schema, payload) in enumerate(rows):
            await conn.execute(
                "INSERT INTO events (stream_id, stream_type, stream_version, event_id, event_type, schema_version,"
                " partition_key, payload, metadata, occurred_at) VALUES ($1, 'Message', $2, $3, $4, $5, '1015',"
                " $6::text::jsonb, '{}'::jsonb, $7)",
                f"message-{message_id}", version, uuid.uuid4(), kind, schema, json.dumps(payload),
                T0 + timedelta(minutes=n))
    finally:
        await conn.close()
    try:
        # The service reads its old events as version 2: the upcaster fills the new field.
        store = EventStore(store_pool, registry)
        [_, stored] = await store.read_stream(f"message-{old}")
        assert stored.schema_version == 1 and "refused" not in stored.payload
        loaded = registry.load(stored.event_type, stored.schema_version, stored.payload)
        assert isinstance(loaded, MessageFailed) and loaded.schema_version == 2 and loaded.refused is False
        message = Message(f"message-{old}")
        for recorded in await store.read_stream(f"message-{old}"):
            message.apply(registry.load(recorded.event_type, recorded.schema_version, recorded.payload))
        assert (message.status, message.attempts) == ("failed", 5)

        result = await rebuild_projection(database_url, CabinetMessages(), "gateway", MIGRATIONS)
        assert result["applied"] == 4
        gateway = await create_pool(database_url, "gateway", max_size=2)
        try:
            listed = await message_list(gateway, "1015", status="failed", limit=10, offset=0)
        finally:
            await gateway.close()
        assert {(m["message_id"], m["refused"], m["attempts"]) for m in listed["items"]} == {
            (old, False, 5), (new, True, 1)}
    finally:
        await store_pool.close()
