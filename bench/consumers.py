"""Consumer throughput with 1 and with 2 instances of one projection in one consumer group.

The projection is the gateway's cabinet read model (CabinetPayments: a payment row and the
account's balance per PaymentRegistered, its stream version recorded in the same transaction), run
by `bench.consumer_process` with the services' consumer settings; each instance is its own OS
process, so two can use two cores. Figure: events/s applied to PostgreSQL, from the first publish
until the projection has applied the last event. Target: 2 instances x1.6 of one, or better.

Each measurement gets a fresh topic of 6 partitions and a fresh group (a topic prefix of its own)
and an emptied read model; the instances are started and waited for until the group is Stable
with every instance holding partitions; then N events (N/20 accounts: the very messages the relay
sends, built by to_kafka from stored events) are produced at once, much faster than they are
applied. CPU seconds during the measurement come from /proc: each instance, the PostgreSQL server
(every process of it, when it runs here), the Kafka broker if ours, this process (producing,
polling) and the whole machine (other users' work included), so a ratio below target can be
explained: per-event CPU cost against the cores there are.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from time import perf_counter
from typing import Any, cast

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import GroupCoordinatorNotAvailableError

from bench.common import NOW, RUNS, SCALE, PaymentRegistered, median
from bench.eventstore import METADATA
from bench.setup import BenchEnv, environment
from services.gateway.projections.cabinet_payments import CabinetPayments
from shared.cloudevents import to_kafka
from shared.db import Connection, create_pool
from shared.events import EventRegistry
from shared.eventstore import CommitPosition, EventStore
from shared.kafka import ensure_topics
from shared.migrations import KERNEL_SQL, apply_migrations, discover

__all__ = ["INSTANCES", "ConsumerRun", "run"]

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "consumers"
N = max(5000, int(40_000 * SCALE))
STREAM = 20  # events per account: N/20 keys spread over the partitions
INSTANCES = (1, 2)
HZ = os.sysconf("SC_CLK_TCK")
Message = tuple[bytes | None, bytes, list[tuple[str, bytes]]]


@dataclass
class Cpu:
    """CPU seconds consumed so far: per process we watch, this process, the machine."""

    processes: dict[int, float] = field(default_factory=dict)
    own: float = 0.0
    machine_busy: float = 0.0
    postgres: float | None = None


@dataclass(frozen=True)
class ConsumerRun:
    instances: int
    events: int
    seconds: float
    cpu_instances: list[float]
    cpu_postgres: float | None
    cpu_kafka: float | None
    cpu_bench: float
    machine_busy: float
    #: Each instance's part of the events (by the partitions it held).
    shares: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def process_cpu(pid: int, reaped: bool = False) -> float | None:
    """utime + stime of a process on this machine, in seconds (None if it is not ours to see);
    `reaped`: plus those of its children that ended and were waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    own = int(fields[11]) + int(fields[12])
    return (own + (int(fields[13]) + int(fields[14]) if reaped else 0)) / HZ


def machine_busy() -> float:
    """CPU seconds every core has spent on anything but idling, since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) / HZ


def server_cpu(postmaster: int | None) -> float | None:
    """CPU seconds of the whole PostgreSQL server so far: the postmaster, its running children
    (backends, WAL writer, checkpointer, I/O workers...) and the children that already ended (a
    pool replaces a connection after 50,000 queries: its backend ends, its CPU must not vanish)."""
    if postmaster is None:
        return None
    total = process_cpu(postmaster, reaped=True)
    if total is None:
        return None
    return total + sum(cpu for child in _children(postmaster) if (cpu := process_cpu(child)) is not None)


def snapshot(pids: set[int], postmaster: int | None) -> Cpu:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    found = {pid: cpu for pid in pids if (cpu := process_cpu(pid)) is not None}
    return Cpu(found, usage.ru_utime + usage.ru_stime, machine_busy(), server_cpu(postmaster))


def spent(before: Cpu, after: Cpu, pids: set[int]) -> float | None:
    """CPU seconds the processes `pids` used between two snapshots (one started meanwhile counts whole)."""
    seen = [pid for pid in pids if pid in after.processes]
    if not seen:
        return None
    return sum(after.processes[pid] - before.processes.get(pid, 0.0) for pid in seen)


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


async def postmaster_pid(conn: asyncpg.Connection[Any]) -> int | None:
    """The PostgreSQL server's main process if it runs on this machine (the parent of our own
    backend). On a server of its own, as the bench's embedded one, the server's CPU is the
    consumers' database work plus this bench's polling."""
    postmaster = _parent(int(await conn.fetchval("SELECT pg_backend_pid()")))
    return None if postmaster is None or postmaster <= 1 else postmaster


def _children(parent: int) -> set[int]:
    return {int(d.name) for d in Path("/proc").iterdir() if d.name.isdigit() and _parent(int(d.name)) == parent}


async def group_members(bootstrap: str, group: str) -> tuple[str, dict[str, set[int]]]:
    """The group's state and each member's partitions, by client id."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    except GroupCoordinatorNotAvailableError:  # a fresh broker: its offsets topic is not there yet
        return "", {}
    finally:
        await admin.close()
    described = response.groups[0]
    assigned: dict[str, set[int]] = {}
    for member in described[5]:  # (member_id, [group_instance_id,] client_id, host, metadata, assignment)
        client_id, assignment = member[-4], member[-1]
        parts = ConsumerProtocolMemberAssignment.decode(assignment).partitions() if assignment else []
        assigned.setdefault(client_id, set()).update(tp.partition for tp in parts)
    return described[2], assigned


def _payment(account_id: str, n: int) -> PaymentRegistered:
    """As the payments service registers one (the cabinet keys payments by a UUID)."""
    return PaymentRegistered(account_id=account_id, payment_id=str(uuid.uuid4()), amount=Decimal("1250.00"),
                             method="card", external_id=f"ch_3PqR7sLkdJ2{n:08d}", paid_at=NOW)


async def _fill(dsn: str, writers: int = 8) -> list[Message]:
    """N PaymentRegistered events in a store, STREAM per account, and the messages the relay would send."""
    pool = await create_pool(dsn, SCHEMA, min_size=writers, max_size=writers)
    store = EventStore(pool, EventRegistry())
    accounts = [f"{7_000_000 + i}" for i in range(0, N // STREAM)]

    async def writer(index: int) -> None:
        for account in accounts[index::writers]:
            async with pool.acquire() as conn, conn.transaction():
                await store.append(cast(Connection, conn), stream_id=f"payment-account-{account}",
                                   stream_type="PaymentAccount", expected_version=0,
                                   events=[_payment(account, n) for n in range(STREAM)],
                                   metadata=METADATA, occurred_at=NOW)

    try:
        await asyncio.gather(*(writer(i) for i in range(writers)))
        events = [e async for batch in store.iterate_all(CommitPosition(), 1000) for e in batch]
    finally:
        await pool.close()
    return [to_kafka("payments", e) for e in events]


def _start(env: BenchEnv, prefix: str, client_id: str) -> subprocess.Popen[str]:
    child_env = {**os.environ, "BENCH_DSN": env.dsn, "BENCH_SCHEMA": SCHEMA, "KAFKA_BOOTSTRAP_SERVERS": env.bootstrap,
                 "KAFKA_TOPIC_PREFIX": prefix, "CONSUMER_CLIENT_ID": client_id}
    # Their output (warnings and errors only) goes to our stderr, beside the progress lines.
    return subprocess.Popen([sys.executable, "-m", "bench.consumer_process"], cwd=ROOT, env=child_env,
                            stdout=sys.stderr, stderr=sys.stderr, text=True)


async def _until(check: Any, timeout: float, what: str) -> None:
    deadline = perf_counter() + timeout
    while not await check():
        if perf_counter() > deadline:
            raise TimeoutError(f"consumers bench: {what} not within {timeout:.0f} s")
        await asyncio.sleep(0.05)


async def _measure(env: BenchEnv, watch: asyncpg.Connection[Any], messages: list[Message],
                   instances: int) -> ConsumerRun:
    prefix = f"bc{uuid.uuid4().hex[:10]}."
    topic = f"{prefix}{CabinetPayments.topics[0]}"
    group = f"{prefix}{CabinetPayments.name}"
    await ensure_topics(env.bootstrap, [topic, f"{topic}.dlq"])
    tables = ", ".join(f"{SCHEMA}.{t}" for t in (*CabinetPayments.tables, "projection_streams", "projection_gaps"))
    await watch.execute(f"TRUNCATE {tables}")
    names = [f"instance-{i + 1}" for i in range(instances)]
    children = [_start(env, prefix, name) for name in names]
    producer = AIOKafkaProducer(bootstrap_servers=env.bootstrap, enable_idempotence=True, acks="all",
                                linger_ms=5, max_batch_size=256 * 1024)
    try:
        async def assigned() -> bool:
            if any(child.poll() is not None for child in children):
                raise RuntimeError("a consumer process ended; its output is above")
            state, members = await group_members(env.bootstrap, group)
            return state == "Stable" and set(members) == set(names) and all(members.values())

        await _until(assigned, 120, f"a stable group of {instances}")
        _, members = await group_members(env.bootstrap, group)
        await producer.start()

        async def applied() -> int:
            return int(await watch.fetchval(
                f"SELECT coalesce(sum(stream_version), 0) FROM {SCHEMA}.projection_streams WHERE projection = $1",
                CabinetPayments.name))

        kafka = {env.broker_pid} if env.broker_pid else set()
        pids = {c.pid for c in children} | kafka
        postmaster = await postmaster_pid(watch)
        before = snapshot(pids, postmaster)
        start = perf_counter()
        futures = [await producer.send(topic, value, key=key, headers=headers) for key, value, headers in messages]
        sent = Counter(metadata.partition for metadata in await asyncio.gather(*futures))

        async def done() -> bool:
            if any(child.poll() is not None for child in children):
                raise RuntimeError("a consumer process ended; its output is above")
            return await applied() >= len(messages)

        await _until(done, 300, f"{len(messages):,} events applied")
        seconds = perf_counter() - start
        after = snapshot(pids, postmaster)
    finally:
        await producer.stop()
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return ConsumerRun(
        instances=instances, events=len(messages), seconds=seconds,
        cpu_instances=[spent(before, after, {c.pid}) or 0.0 for c in children],
        cpu_postgres=None if before.postgres is None or after.postgres is None else after.postgres - before.postgres,
        cpu_kafka=spent(before, after, kafka),
        cpu_bench=after.own - before.own, machine_busy=after.machine_busy - before.machine_busy,
        shares=[sum(sent[p] for p in members[name]) / len(messages) for name in names],
    )


async def run(env: BenchEnv) -> dict[int, ConsumerRun]:
    """Per instance count, the run of median rate (runs interleaved: 1, 2, 1, 2...)."""
    folder = ROOT / "services" / "gateway" / "migrations"
    await apply_migrations(env.dsn, SCHEMA, discover(KERNEL_SQL, folder, prefixes=("kernel", "gateway")))
    messages = await _fill(env.dsn)
    watch = await asyncpg.connect(env.dsn, server_settings={"application_name": "bench-watch"})
    try:
        await _measure(env, watch, messages[:2000], 1)  # warm-up: broker, server caches
        runs: dict[int, list[ConsumerRun]] = {k: [] for k in INSTANCES}
        for _ in range(RUNS):
            for instances in INSTANCES:
                runs[instances].append(await _measure(env, watch, messages, instances))
    finally:
        await watch.close()
    chosen = {}
    for instances, measured in runs.items():
        middle = median([r.rate for r in measured])
        chosen[instances] = min(measured, key=lambda r: abs(r.rate - middle))
    return chosen


async def _main() -> None:
    from bench.report import consumers_table

    async with environment() as env:
        figures = await run(env)
    print("\n".join(consumers_table(figures, os.cpu_count() or 1)))


if __name__ == "__main__":  # `python -m bench.consumers`: this benchmark alone
    asyncio.run(_main())
