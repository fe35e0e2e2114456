"""Ops: `billing lag` shows each consumer group's lag per partition, read from the broker."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from shared.db import Pool
from shared.eventstore import EventStore
from shared.ops.inspect import consumer_lag
from shared.relay import Relay
from tests.conftest import ROOT, KafkaSpace
from tests.eventually import eventually
from tests.shared.kafka_helpers import (
    CounterTotals,
    append_increments,
    create_totals_table,
    start_consumer,
)
from tests.shared.test_relay import drain


async def test_lag_per_group_and_partition_follows_what_the_projection_consumed(
    store: EventStore, pool: Pool, kafka: KafkaSpace, unique: str
) -> None:
    await create_totals_table(pool)
    relay = Relay(store, f"lag{unique}", kafka.bootstrap, topic_prefix=kafka.topic_prefix)
    await relay.start()
    projection = CounterTotals(relay.topic.removeprefix(kafka.topic_prefix), "totals")
    group = f"{kafka.topic_prefix}totals"
    try:
        await append_increments(store, "acc-a", 3)
        await append_increments(store, "acc-b", 2)
        await drain(relay, 5)
        consumer = await start_consumer(kafka.bootstrap, pool, projection, topic_prefix=kafka.topic_prefix)

        async def caught_up() -> bool:
            rows = [r for r in await consumer_lag(kafka.bootstrap, [relay.topic]) if r["group"] == group]
            return sum(r["committed"] for r in rows) == 5

        await eventually(caught_up)
        await consumer.stop()
        await append_increments(store, "acc-a", 4, start_version=3)
        await drain(relay, 4)
    finally:
        await relay.stop()

    rows = [r for r in await consumer_lag(kafka.bootstrap, [relay.topic]) if r["group"] == group]
    assert sum(r["lag"] for r in rows) == 4
    assert {r["topic"] for r in rows} == {relay.topic}
    assert all(r["end"] - r["committed"] == r["lag"] for r in rows)
    behind = [r for r in rows if r["lag"]]
    assert len(behind) == 1 and behind[0]["lag"] == 4  # one account: one partition

    env = {"PATH": "/usr/bin:/bin", "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
           "KAFKA_TOPIC_PREFIX": kafka.topic_prefix, "COLUMNS": "200"}
    cli = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "shared.ops", "lag", relay.topic], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    assert group in cli.stdout and "partition" in cli.stdout
