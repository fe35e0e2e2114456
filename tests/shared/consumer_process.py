"""One instance of a counting projection as an OS process, for the consumer-group tests.

`python -m tests.shared.consumer_process` runs a ProjectionConsumer of `LoggedTotals` (the
tests' CounterTotals, which also records which instance applied each event, in the same
transaction) on its own FastStream broker until SIGTERM (or SIGKILL, which is the point).

Environment: DATABASE_URL, CONSUMER_SCHEMA (the pool's schema, default svc),
KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC_PREFIX, CONSUMER_TOPIC (unprefixed), CONSUMER_PROJECTION (the
projection's name: its consumer group is `<prefix><name>`), CONSUMER_INSTANCE (a label),
CONSUMER_APPLY_DELAY_MS (a pause inside each event's apply, so a test can act mid-stream),
CONSUMER_SESSION_TIMEOUT_MS, CONSUMER_MAX_RECORDS (per batch), CONSUMER_CLIENT_ID (how the broker
names the member: a test tells the instances' partitions apart by it).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from faststream.kafka import KafkaBroker

from shared.consumer import ProjectionConsumer
from shared.db import Connection, Pool, create_pool
from shared.logging import configure_logging
from shared.projection import IncomingEvent
from tests.shared.kafka_helpers import CounterTotals, counter_contract

LOG_TABLE = "consumer_applied"


async def create_log_table(pool: Pool) -> None:
    await pool.execute(
        f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} (instance text NOT NULL, stream_id text NOT NULL,"
        " stream_version int NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
    )


class LoggedTotals(CounterTotals):
    def __init__(self, topic: str, name: str, instance: str, delay: float) -> None:
        super().__init__(topic, name)
        self.instance = instance
        self.delay = delay

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        await super().apply(conn, event)
        # No unique constraint on purpose: an event applied twice shows as two rows.
        await conn.execute(
            f"INSERT INTO {LOG_TABLE} (instance, stream_id, stream_version) VALUES ($1, $2, $3)",
            self.instance, event.stream_id, event.stream_version,
        )


async def main() -> None:
    env = os.environ
    configure_logging(f"consumer-{env['CONSUMER_INSTANCE']}", "WARNING", "console")
    pool = await create_pool(env["DATABASE_URL"], env.get("CONSUMER_SCHEMA", "svc"), max_size=2)
    projection = LoggedTotals(env["CONSUMER_TOPIC"], env["CONSUMER_PROJECTION"], env["CONSUMER_INSTANCE"],
                              float(env.get("CONSUMER_APPLY_DELAY_MS", "0")) / 1000)
    broker = KafkaBroker(env["KAFKA_BOOTSTRAP_SERVERS"], logger=None,
                         client_id=env.get("CONSUMER_CLIENT_ID", env["CONSUMER_INSTANCE"]))
    ProjectionConsumer(pool, projection, max_records=int(env.get("CONSUMER_MAX_RECORDS", "500")),
                       session_timeout_ms=int(env.get("CONSUMER_SESSION_TIMEOUT_MS", "6000")),
                       topic_prefix=env.get("KAFKA_TOPIC_PREFIX", ""),
                       contract=counter_contract(env["CONSUMER_TOPIC"])).attach(broker)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await broker.start()
    try:
        await stop.wait()
    finally:
        await broker.stop()
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
