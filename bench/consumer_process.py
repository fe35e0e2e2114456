"""One instance of the gateway's cabinet projection as its own process, for bench/consumers.py.

`python -m bench.consumer_process` runs ProjectionConsumer(CabinetPayments) with the services'
settings on its own FastStream broker until SIGTERM. Environment: BENCH_DSN, BENCH_SCHEMA,
KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC_PREFIX, CONSUMER_CLIENT_ID (how the group names the member).
"""

from __future__ import annotations

import asyncio
import os
import signal

from faststream.kafka import KafkaBroker

from services.gateway.projections.cabinet_payments import CabinetPayments
from shared.consumer import ProjectionConsumer
from shared.db import create_pool
from shared.logging import configure_logging


async def main() -> None:
    env = os.environ
    configure_logging("bench-consumer", "WARNING", "console")  # no per-event debug lines
    pool = await create_pool(env["BENCH_DSN"], env["BENCH_SCHEMA"], min_size=1, max_size=4)
    broker = KafkaBroker(env["KAFKA_BOOTSTRAP_SERVERS"], logger=None, client_id=env["CONSUMER_CLIENT_ID"])
    ProjectionConsumer(pool, CabinetPayments(), topic_prefix=env["KAFKA_TOPIC_PREFIX"]).attach(broker)
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
