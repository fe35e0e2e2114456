"""`billing` — the ops CLI.

  billing positions                      stores, relays and projections: heads, checkpoints, lag, gaps
  billing lag                            Kafka consumer-group lag of every projection
  billing stream SERVICE STREAM_ID       one stream's events, as JSON lines
  billing republish SERVICE [--from N]   send a store's events to Kafka again (after a broker loss)
  billing rebuild MODULE:CLASS [--schema S]   rebuild a projection from the stores, swap it in
  billing clock advance 3d|12h|30m       dev stacks only: move the shared dev clock forward
  billing asyncapi FOLDER                write the AsyncAPI document of every service's events

Settings come from the environment as for the services (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS);
a dev stack started by `make run` is found by default.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from aiokafka.errors import KafkaConnectionError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from shared.cloudevents import topic_for
from shared.db import create_pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.logging import configure_logging
from shared.ops.asyncapi import write_documents
from shared.ops.inspect import consumer_lag, positions, stream_events
from shared.ops.rebuild import ROOT, load_projection, rebuild_projection
from shared.relay import Relay

__all__ = ["main"]

console = Console()
DEV_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/billing"
DEV_KAFKA = "127.0.0.1:9092"
SERVICES = ("accounts", "payments", "invoicing", "telephony", "notifications")


def _dsn() -> str:
    return os.environ.get("DATABASE_URL", DEV_DATABASE_URL)


def _kafka() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEV_KAFKA)


def _table(title: str, rows: list[dict[str, object]]) -> Table:
    table = Table(title=title)
    columns = sorted({k for r in rows for k in r}, key=lambda k: list(rows[0]).index(k) if k in rows[0] else 99)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    return table


async def _positions() -> None:
    rows = await positions(_dsn())
    stores = [{k: v for k, v in r.items() if k not in {"kind", "schema"}} for r in rows
              if r["kind"] == "store" and r["head"]]
    projections = [{k: v for k, v in r.items() if k != "kind"} for r in rows if r["kind"] == "projection"]
    console.print(_table("event stores (head, relay position, unpublished)", stores) if stores else "no events")
    if projections:
        console.print(_table("projections (streams applied, last global position, gaps noticed; streams waiting"
                             " on a gap, events parked, versions given up on)", projections))


async def _lag() -> None:
    rows = await positions(_dsn())
    groups = [str(r["name"]) for r in rows if r["kind"] == "projection"]
    lag = await consumer_lag(_kafka(), groups, [topic_for(s) for s in SERVICES])
    console.print(_table("consumer lag", lag) if lag else "no committed consumer offsets")


async def _stream(service: str, stream_id: str) -> None:
    for line in await stream_events(_dsn(), service, stream_id):
        print(line)


async def _republish(service: str, from_position: int) -> None:
    pool = await create_pool(_dsn(), service, max_size=2)
    relay = Relay(EventStore(pool, registry), service, _kafka())
    try:
        await relay.start()
        sent = await relay.republish(from_position)
    finally:
        await relay.stop()
        await pool.close()
    console.print(f"republished {sent} events of {service} from position {from_position} to {relay.topic}")


async def _rebuild(path: str, schema: str | None) -> None:
    projection = load_projection(path)
    service = schema or path.split(".")[1]
    migrations = ROOT / "services" / path.split(".")[1] / "migrations"
    with Progress(console=console) as bar:
        task = bar.add_task(f"rebuilding {projection.name}", total=None)
        result = await rebuild_projection(
            _dsn(), projection, service, migrations, lambda _name, n: bar.advance(task, n)
        )
    console.print(f"{projection.name}: {result['applied']} events applied, swapped in; "
                  f"{result['caught_up_after_swap']} caught up after the swap")


_DURATION = re.compile(r"^(\d+)([dhm])$")


def _advance_clock(amount: str) -> None:
    match = _DURATION.match(amount)
    if not match:
        raise SystemExit("clock advance takes a duration like 3d, 12h or 30m")
    seconds = int(match.group(1)) * {"d": 86400, "h": 3600, "m": 60}[match.group(2)]
    path = Path(os.environ.get("DEV_CLOCK_FILE", ROOT / ".run" / "dev-clock"))
    current = float(path.read_text().strip() or 0) if path.exists() else 0.0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(current + seconds))
    console.print(f"dev clock moved {amount} forward (offset now {(current + seconds) / 86400:.2f} days)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="billing", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("positions")
    sub.add_parser("lag")
    stream = sub.add_parser("stream")
    stream.add_argument("service")
    stream.add_argument("stream_id")
    republish = sub.add_parser("republish")
    republish.add_argument("service", choices=SERVICES)
    republish.add_argument("--from", dest="from_position", type=int, default=1)
    rebuild = sub.add_parser("rebuild")
    rebuild.add_argument("projection", help="e.g. services.gateway.projections.cabinet_payments:CabinetPayments")
    rebuild.add_argument("--schema", default=None, help="the live schema (default: the service's name)")
    asyncapi = sub.add_parser("asyncapi")
    asyncapi.add_argument("folder", type=Path)
    clock = sub.add_parser("clock")
    clock.add_argument("action", choices=["advance"])
    clock.add_argument("amount")
    args = parser.parse_args(argv)
    if args.command == "asyncapi":
        for path in write_documents(args.folder):
            console.print(f"wrote {path}")
        return 0
    if args.command == "clock":
        if os.environ.get("BILLING_ENV", "dev") == "prod":
            raise SystemExit("the dev clock does not exist in production")
        _advance_clock(args.amount)
        return 0
    actions: dict[str, Callable[[], Coroutine[Any, Any, None]]] = {
        "positions": _positions,
        "lag": _lag,
        "stream": lambda: _stream(args.service, args.stream_id),
        "republish": lambda: _republish(args.service, args.from_position),
        "rebuild": lambda: _rebuild(args.projection, args.schema),
    }
    configure_logging("ops", "WARNING", "console")
    try:
        asyncio.run(actions[args.command]())
    except (KafkaConnectionError, OSError) as error:
        console.print(f"[red]cannot reach a dependency:[/red] {error} "
                      f"(DATABASE_URL={_dsn()}, KAFKA_BOOTSTRAP_SERVERS={_kafka()})")
        return 2
    return 0
