"""A projection rebuilt from its Kafka topics, as a consumer without access to the producer's
database would, is the very read model a rebuild from the store gives, on the real broker: with
the topic carrying every event twice (a republish), and from a timestamp (streams start there)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from services.gateway.projections.cabinet_payments import CabinetPayments
from shared.db import Pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.kafka import ensure_topics
from shared.ops import cli
from shared.ops.rebuild import KafkaReplay, rebuild_projection
from shared.relay import Relay
from tests.conftest import KafkaSpace, migrated_pool
from tests.gateway.projections.test_bulk_apply import TABLES, history

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "gateway" / "migrations"
PROJECTION = "services.gateway.projections.cabinet_payments:CabinetPayments"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


async def append_round(pool: Pool, accounts: list[str], versions: range) -> None:
    """Events `versions` of every account's history, committed round by round (interleaved)."""
    histories = {a: [h for h in history(a) if h[0] != "SomethingTheCabinetIgnores"] for a in accounts}
    for n in versions:
        await pool.executemany(
            "INSERT INTO events (stream_id, stream_type, stream_version, event_id, event_type, schema_version,"
            " partition_key, payload, metadata, occurred_at) VALUES ($1, 'PaymentAccount', $2, $3, $4, 1, $5, $6,"
            " '{}'::jsonb, $7)",
            [(f"payment-account-{a}", n, uuid.uuid4(), h[n - 1][0], a, {"account_id": a, **h[n - 1][1]},
              T0 + timedelta(minutes=n)) for a, h in histories.items()],
        )


async def publish(relay: Relay) -> None:
    while await relay.publish_once():
        pass


async def read_model(database_url: str) -> dict[str, list[str]]:
    conn = await asyncpg.connect(database_url)
    try:
        model = {table: [json.dumps(dict(r), default=str, sort_keys=True) for r in await conn.fetch(
            f"SELECT * FROM gateway.{table} ORDER BY {key}")] for table, key in TABLES.items()}
        model["streams"] = [f"{r[0]}@{r[1]}" for r in await conn.fetch(
            "SELECT stream_id, stream_version FROM gateway.projection_streams ORDER BY 1")]
        for tracking in ("projection_parked", "projection_missing", "projection_gaps"):
            model[tracking] = [str(r[0]) for r in await conn.fetch(f"SELECT count(*) FROM gateway.{tracking}")]
        return model
    finally:
        await conn.close()


@pytest.fixture
async def stores(database_url: str, kafka: KafkaSpace) -> AsyncIterator[tuple[Pool, Relay]]:
    payments = await migrated_pool(database_url, "payments")
    (await migrated_pool(database_url, "gateway", MIGRATIONS)).terminate()
    relay = Relay(EventStore(payments, registry, "payments"), "payments", kafka.bootstrap,
                  topic_prefix=kafka.topic_prefix)
    await relay.start()
    # The projection also reads invoicing's topic, empty here (as where invoicing has charged nothing).
    await ensure_topics(kafka.bootstrap, [f"{kafka.topic_prefix}{t}" for t in CabinetPayments.topics])
    yield payments, relay
    await relay.stop()
    await payments.close()


async def test_the_topics_give_the_read_model_the_store_gives(
    database_url: str, kafka: KafkaSpace, stores: tuple[Pool, Relay], monkeypatch: pytest.MonkeyPatch,
) -> None:
    payments, relay = stores
    accounts = [str(5000 + n) for n in range(30)]
    await append_round(payments, accounts, range(1, 18))
    await publish(relay)
    assert await relay.republish(1) == 30 * 17  # after a broker scare: every event on the topic twice

    from_store = await rebuild_projection(database_url, CabinetPayments(), "gateway", MIGRATIONS)
    assert from_store["applied"] == 30 * 17
    by_store = await read_model(database_url)
    assert len(by_store["cabinet_payments"]) == 30 * 4

    # As ops run it: `make replay ARGS='rebuild ... --from-kafka'`, with only the gateway's database.
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap)
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", kafka.topic_prefix)
    conn = await asyncpg.connect(database_url)
    await conn.execute("DROP SCHEMA payments CASCADE")  # no store anywhere: the topics alone
    await conn.close()
    monkeypatch.setattr(cli, "configure_logging", lambda *_: None)  # the test session's logging stays
    assert await asyncio.to_thread(cli.main, ["rebuild", PROJECTION, "--from-kafka"]) == 0
    assert await read_model(database_url) == by_store


async def test_from_a_timestamp_streams_start_where_the_replay_does(
    database_url: str, kafka: KafkaSpace, stores: tuple[Pool, Relay],
) -> None:
    payments, relay = stores
    accounts = [str(6000 + n) for n in range(10)]
    await append_round(payments, accounts, range(1, 9))  # up to the 7th payment-side event
    await publish(relay)
    await asyncio.sleep(0.05)
    since = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await append_round(payments, accounts, range(9, 18))
    await publish(relay)

    result = await rebuild_projection(database_url, CabinetPayments(), "gateway", MIGRATIONS,
                                      kafka=KafkaReplay(kafka.bootstrap, kafka.topic_prefix, since))
    assert result["applied"] == 10 * 9
    model = await read_model(database_url)
    # The later events alone: versions 9..17 of each stream, no gap waited for, nothing missing.
    assert model["streams"] == sorted(f"payment-account-{a}@17" for a in accounts)
    assert model["projection_parked"] == model["projection_missing"] == model["projection_gaps"] == ["0"]
    assert len(model["cabinet_payments"]) == 10  # the last payment of each account's history
