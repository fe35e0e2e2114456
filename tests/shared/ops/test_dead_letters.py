"""Dead letters, as ops handle them: listed and shown from the DLQ with their state, one retried
back to its topic after the fix (and then applied), one dropped; both recorded with who and when,
and the DLQ depth metric follows."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY

from shared.db import Connection, Pool
from shared.eventstore import EventStore
from shared.ops import cli
from shared.ops.dlq import DeadLetterMessage, dlq_topic, read_dlq
from shared.projection import IncomingEvent
from shared.relay import Relay
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.shared.kafka_helpers import CounterTotals, append_increments, create_totals_table, start_consumer

TOPIC = "billing.svc.events"


class Fixable(CounterTotals):
    """Refuses increments of 666 until the fix is deployed."""

    fixed = False

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        if self.fixed and event.payload.get("by") == 666:
            await conn.execute("INSERT INTO counter_totals (account_id, total, applied) VALUES ($1, 666, 1)",
                               event.payload["account_id"])
            return
        await super().apply(conn, event)


def depth(projection: str) -> float | None:
    return REGISTRY.get_sample_value("billing_dlq_depth", {"projection": projection})


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


async def test_ops_list_show_retry_and_drop_dead_letters(
    database_url: str, store: EventStore, pool: Pool, kafka: KafkaSpace, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap)
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", kafka.topic_prefix)
    monkeypatch.setattr(cli, "configure_logging", lambda *_: None)  # the test session's logging stays
    await create_totals_table(pool)
    projection = Fixable(TOPIC, "svc.totals")
    running = await start_consumer(kafka.bootstrap, pool, projection, topic_prefix=kafka.topic_prefix)
    try:
        await append_increments(store, "acc-1", 2)
        await append_increments(store, "acc-2", 1, by=666)  # refused by apply: dead-lettered after retries
        relay = Relay(store, "svc", kafka.bootstrap, topic_prefix=kafka.topic_prefix)
        await relay.start()
        while await relay.publish_once():
            pass
        await relay.stop()
        producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
        await producer.start()
        await producer.send_and_wait(kafka.topic(TOPIC), b"not an event", key=b"acc-3")  # no CloudEvent at all
        await producer.stop()

        letters: list[DeadLetterMessage] = []

        async def both_on_record() -> bool:
            letters[:] = await read_dlq(kafka.bootstrap, dlq_topic(TOPIC, kafka.topic_prefix))
            return len(letters) == 2 and await pool.fetchval("SELECT count(*) FROM dead_letters") == 2

        await eventually(both_on_record)
        await running.consumer.check_gaps()
        assert depth("svc.totals") == 2
        poison = next(m for m in letters if m.headers.get("ce_streamid") == "acc-2")
        garbage = next(m for m in letters if "ce_streamid" not in m.headers)

        listed = await asyncio.to_thread(run_cli, capsys, "dlq", "list", TOPIC)
        assert "2 dead letters, 2 open" in listed and poison.ref in listed and garbage.ref in listed
        shown = await asyncio.to_thread(run_cli, capsys, "dlq", "show", TOPIC, poison.ref)
        assert "poison increment" in shown and '"by": 666' in shown

        projection.fixed = True  # the fix is deployed
        retried = await asyncio.to_thread(run_cli, capsys, "dlq", "retry", TOPIC, poison.ref, "--actor", "ops-anna",
                                          "--note", "accepts 666 now")
        assert "1 dead letters" in retried

        async def applied_after_retry() -> bool:
            return await pool.fetchval("SELECT total FROM counter_totals WHERE account_id = 'acc-2'") == 666

        await eventually(applied_after_retry)
        await asyncio.to_thread(run_cli, capsys, "dlq", "drop", TOPIC, "--all", "--actor", "ops-anna",
                                "--note", "not an event of ours")
        listed = await asyncio.to_thread(run_cli, capsys, "dlq", "list", TOPIC)
        assert "2 dead letters, 0 open" in listed
        closed = await pool.fetch("SELECT source, resolution, resolved_by FROM dead_letters ORDER BY resolution DESC")
        assert [(r["source"], r["resolution"], r["resolved_by"]) for r in closed] == [
            (poison.source, "retried", "ops-anna"), (garbage.source, "dropped", "ops-anna")]
        actions = await pool.fetch("SELECT actor, action, dlq_partition, dlq_offset, note FROM dlq_actions ORDER BY id")
        assert [(a["actor"], a["action"], f"{a['dlq_partition']}:{a['dlq_offset']}", a["note"]) for a in actions] == [
            ("ops-anna", "retry", poison.ref, "accepts 666 now"), ("ops-anna", "drop", garbage.ref, "not an event of ours")]
        await running.consumer.check_gaps()
        assert depth("svc.totals") == 0
        assert await pool.fetchval("SELECT total FROM counter_totals WHERE account_id = 'acc-1'") == 2
    finally:
        await running.stop()
