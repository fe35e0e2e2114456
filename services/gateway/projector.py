"""The gateway's read models kept current in a process of their own: `python -m services.gateway.projector`.

The Procfile runs it beside the HTTP gateway started with `GATEWAY_PROJECTIONS=own_process`, so
the HTTP workers' event loops only serve requests: a batch of events being applied (decoding,
contract checks, the projection's SQL) no longer waits in line with the pages, and the HTTP
workers can be more than one without each of them joining the consumer groups. The HTTP side still
watches how far behind the read models are (`x-read-model-lag`), and a command's read-your-writes
wait asks the read models' positions in PostgreSQL, which this process records in the transaction
of each event it applies. It stops on SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import signal

from services.gateway.app import gateway_runtime
from services.gateway.settings import GatewaySettings
from shared.clock import clock_for
from shared.heap import settle_heap
from shared.logging import configure_logging, get_logger
from shared.settings import load_settings

__all__ = ["main"]

log = get_logger(__name__)


async def run() -> None:
    settings = load_settings(GatewaySettings)
    configure_logging("gateway-projections", settings.log_level, settings.log_format)
    runtime = gateway_runtime(settings, clock_for(settings.billing_env, settings.dev_clock_file), consume=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await runtime.start()
    settle_heap()
    log.info("gateway.projector_started", projections=[p.name for p in runtime.projections])
    try:
        await stop.wait()
    finally:
        await runtime.stop()


def main() -> None:
    import uvloop

    uvloop.run(run())


if __name__ == "__main__":
    main()
