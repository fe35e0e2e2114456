"""Consumer groups for real: two OS processes running one projection in one consumer group on a
6-partition topic share the partitions; one is killed with SIGKILL mid-stream and the survivor
takes its partitions over; every event ends up applied exactly once.

The processes are `tests.shared.consumer_process` (a counting projection that also logs
which instance applied each event). Both join the group before the relay publishes, so the only
handover checked here is the one the kill forces.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import GroupCoordinatorNotAvailableError

from shared.cloudevents import topic_for
from shared.db import Pool
from shared.eventstore import EventStore
from shared.kafka import end_offsets, ensure_topics
from shared.relay import Relay
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.shared.consumer_process import create_log_table
from tests.shared.kafka_helpers import append_increments, create_totals_table, read_topic
from tests.shared.test_relay import drain

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS, PER_ACCOUNT, PER_APPEND = 50, 60, 10  # 3,000 events
APPLY_DELAY_MS = 4  # per event: about 6 s of work per instance, so the kill lands mid-stream
MAX_RECORDS = 100  # per batch (one transaction): progress shows in the database batch by batch
SESSION_TIMEOUT_MS = 2000  # the dev broker admits >= 1000 ms; the takeover waits about this long
PARTITIONS = 6


async def group_members(bootstrap: str, group: str) -> tuple[str, dict[str, set[int]]]:
    """The group's state and each member's partitions, by the member's client id."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    except GroupCoordinatorNotAvailableError:  # a fresh broker: its offsets topic is not there yet
        return "", {}
    finally:
        await admin.close()
    described = response.groups[0]
    state, members = described[2], described[5]
    assigned: dict[str, set[int]] = {}
    for member in members:  # (member_id, [group_instance_id,] client_id, host, metadata, assignment)
        client_id, assignment = member[-4], member[-1]
        partitions = ConsumerProtocolMemberAssignment.decode(assignment).partitions() if assignment else []
        assigned.setdefault(client_id, set()).update(tp.partition for tp in partitions)
    return state, assigned


async def committed_offsets(bootstrap: str, group: str, topic: str) -> list[int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    by_partition = {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}
    return [max(by_partition.get(p, 0), 0) for p in range(PARTITIONS)]


def start_instance(instance: str, database_url: str, kafka: KafkaSpace, topic: str, name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONSUMER_SCHEMA": "svc",
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        "KAFKA_TOPIC_PREFIX": kafka.topic_prefix,
        "CONSUMER_TOPIC": topic,
        "CONSUMER_PROJECTION": name,
        "CONSUMER_INSTANCE": instance,
        "CONSUMER_CLIENT_ID": instance,
        "CONSUMER_APPLY_DELAY_MS": str(APPLY_DELAY_MS),
        "CONSUMER_MAX_RECORDS": str(MAX_RECORDS),
        "CONSUMER_SESSION_TIMEOUT_MS": str(SESSION_TIMEOUT_MS),
    }
    # Output goes where ours goes (pytest captures it): a pipe nobody reads could fill up and stall it.
    return subprocess.Popen([sys.executable, "-m", "tests.shared.consumer_process"], cwd=ROOT, env=env)


async def test_a_killed_instance_s_partitions_are_taken_over_and_every_event_is_applied_once(
    store: EventStore, pool: Pool, kafka: KafkaSpace, database_url: str, unique: str
) -> None:
    await create_totals_table(pool)
    await create_log_table(pool)
    service, name = f"svc{unique}", f"totals-{unique}"
    topic, group = topic_for(service), kafka.topic(name)
    await ensure_topics(kafka.bootstrap, [kafka.topic(topic), f"{kafka.topic(topic)}.dlq"], PARTITIONS)
    rng = random.Random(8)
    for version in range(0, PER_ACCOUNT, PER_APPEND):
        for n in range(ACCOUNTS):
            await append_increments(store, f"acc-{n:02d}", PER_APPEND, start_version=version, by=rng.randint(1, 9))
    total = ACCOUNTS * PER_ACCOUNT

    processes = {i: start_instance(i, database_url, kafka, topic, name) for i in ("a", "b")}
    try:
        # Both in the group, each with its share, before anything is published: which instance
        # may apply which account is then known, so the takeover can be told from the start-up.
        async def both_assigned() -> bool:
            assert all(p.poll() is None for p in processes.values()), "a consumer process ended at start"
            state, members = await group_members(kafka.bootstrap, group)
            return state == "Stable" and set(members) == {"a", "b"} and all(members.values())

        await eventually(both_assigned, timeout=60)
        _, before = await group_members(kafka.bootstrap, group)
        assert before["a"].isdisjoint(before["b"]) and before["a"] | before["b"] == set(range(PARTITIONS))

        relay = Relay(store, service, kafka.bootstrap, topic_prefix=kafka.topic_prefix)
        await relay.start()
        try:
            assert await drain(relay, total, timeout=60) == total
        finally:
            await relay.stop()

        async def applied_by() -> dict[str, int]:
            rows = await pool.fetch("SELECT instance, count(*) AS n FROM consumer_applied GROUP BY instance")
            return {r["instance"]: r["n"] for r in rows}

        async def both_applying() -> bool:
            counts = await applied_by()
            return counts.get("a", 0) >= 50 and counts.get("b", 0) >= 50

        await eventually(both_applying, timeout=60)
        processes["a"].send_signal(signal.SIGKILL)
        processes["a"].wait(10)
        killed_at = await pool.fetchval("SELECT clock_timestamp()")
        at_kill = await applied_by()
        assert sum(at_kill.values()) < total, "the kill came after the last event: nothing to take over"

        # Done when the survivor has committed every offset (nothing left to deliver).
        ends = await end_offsets(kafka.bootstrap, kafka.topic(topic))
        assert ends is not None and sum(ends) == total

        async def drained() -> bool:
            return await committed_offsets(kafka.bootstrap, group, kafka.topic(topic)) == ends

        await eventually(drained, timeout=120)
        state, after = await group_members(kafka.bootstrap, group)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    # The survivor holds every partition.
    assert (state, after) == ("Stable", {"b": set(range(PARTITIONS))})

    # Exactly once: the read model is the store's truth, every event applied by one instance once.
    truth = {
        r["stream_id"]: (r["total"], r["events"], r["head"])
        for r in await pool.fetch(
            "SELECT stream_id, sum((payload->>'by')::bigint) AS total, count(*) AS events,"
            " max(stream_version) AS head FROM events GROUP BY stream_id"
        )
    }
    assert len(truth) == ACCOUNTS and sum(events for _, events, _ in truth.values()) == total
    totals = {r["account_id"]: (r["total"], r["applied"]) for r in await pool.fetch("SELECT * FROM counter_totals")}
    assert totals == {s: (t, n) for s, (t, n, _) in truth.items()}
    heads = {r["stream_id"]: r["stream_version"] for r in await pool.fetch(
        "SELECT stream_id, stream_version FROM projection_streams WHERE projection = $1", name)}
    assert heads == {s: head for s, (_, _, head) in truth.items()}
    log = await pool.fetch("SELECT instance, stream_id, stream_version, applied_at FROM consumer_applied")
    assert len(log) == total
    assert len({(r["stream_id"], r["stream_version"]) for r in log}) == total
    assert await pool.fetchval("SELECT count(*) FROM projection_gaps WHERE projection = $1", name) == 0

    # The takeover: each account of the killed instance's partitions was applied by it up to some
    # version and by the survivor from there on; the survivor finished, after the kill, every
    # partition the killed instance had left unfinished.
    records = await read_topic(kafka.bootstrap, kafka.topic(topic), total)
    partition_of = {r.key.decode(): r.partition for r in records}
    by_stream: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in log:
        by_stream[r["stream_id"]].append((r["stream_version"], r["instance"]))
    for stream, applied in by_stream.items():
        owners = [instance for _, instance in sorted(applied)]
        if partition_of[stream] in before["a"]:
            assert owners == sorted(owners), f"{stream}: {owners}"  # a..., then b...
        else:
            assert set(owners) == {"b"}, stream
    assert all(r["instance"] == "b" for r in log if r["applied_at"] > killed_at)
    taken_over = {partition_of[r["stream_id"]] for r in log if r["instance"] == "b" and r["applied_at"] > killed_at}
    left = {partition_of[r["stream_id"]] for r in log if r["instance"] == "b" and partition_of[r["stream_id"]] in before["a"]}
    assert left and left <= taken_over
    by_a = sum(1 for r in log if r["instance"] == "a")
    assert 0 < at_kill["a"] == by_a < sum(1 for r in log if partition_of[r["stream_id"]] in before["a"])
