"""`billing` — the ops CLI.

  billing positions                      stores, relays and projections: heads, checkpoints, lag, gaps
  billing lag [TOPIC ...]                consumer-group lag per partition (default: every service's topic)
  billing stream SERVICE STREAM_ID       one stream's events, as JSON lines
  billing republish SERVICE [--from N]   send a store's events to Kafka again (after a broker loss)
  billing rebuild MODULE:CLASS [--schema S] [--from-kafka [--since ISO]]
                                         rebuild a projection from the stores (or its topics), swap it in
  billing dlq list TOPIC                  dead letters of TOPIC (billing.payments.events), open or closed
  billing dlq show TOPIC P:O             one dead letter: headers, value, state
  billing dlq retry TOPIC P:O...|--all   send back to TOPIC after a fix (recorded: who, when)
  billing dlq drop TOPIC P:O...|--all    close without sending (recorded: who, when, --note why)
  billing clock advance 3d|12h|30m       dev stacks only: move the shared dev clock forward
  billing asyncapi FOLDER                write the AsyncAPI document of every service's events

Each service's database: `--dsn SERVICE=URL` (repeatable, before the command), else
`<SERVICE>_DATABASE_URL` (ACCOUNTS_DATABASE_URL, PAYMENTS_DATABASE_URL, NOTIFICATIONS_DATABASE_URL,
GATEWAY_DATABASE_URL, INVOICING_DATABASE_URL, TELEPHONY_DATABASE_URL), else DATABASE_URL (one database
for all, as on a dev stack). Kafka: KAFKA_BOOTSTRAP_SERVERS. A dev stack started by `make run` is
found by default.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import re
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from aiokafka.errors import KafkaConnectionError
from rich.console import Console
from rich.table import Table

from shared.cloudevents import topic_for
from shared.db import create_pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.logging import configure_logging
from shared.ops import dlq
from shared.ops.asyncapi import write_documents
from shared.ops.databases import dev_stack, dsn_for, parse_dsn_options, redacted, service_databases
from shared.ops.inspect import consumer_lag, positions, stream_events
from shared.ops.progress import progress_for
from shared.ops.rebuild import ROOT, KafkaReplay, load_projection, rebuild_projection, source_services
from shared.relay import Relay

__all__ = ["main"]

console = Console()
DEV_KAFKA = "127.0.0.1:9092"
#: The services publishing events (a topic each).
SERVICES = ("accounts", "payments", "invoicing", "telephony", "notifications")
Databases = Mapping[str, str]


def _kafka() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or dev_stack().get("KAFKA_BOOTSTRAP_SERVERS") or DEV_KAFKA


def _table(title: str, rows: list[dict[str, object]]) -> Table:
    table = Table(title=title)
    columns = sorted({k for r in rows for k in r}, key=lambda k: list(rows[0]).index(k) if k in rows[0] else 99)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    return table


async def _positions(given: Databases) -> None:
    rows = await positions(service_databases(given))
    stores = [{k: v for k, v in r.items() if k not in {"kind", "schema"}} for r in rows
              if r["kind"] == "store" and r["head"]]
    projections = [{k: v for k, v in r.items() if k != "kind"} for r in rows if r["kind"] == "projection"]
    console.print(_table("event stores (head, relay position, unpublished)", stores) if stores else "no events")
    if projections:
        console.print(_table("projections (streams applied, last global position, gaps noticed; streams waiting"
                             " on a gap, events parked, versions given up on)", projections))


async def _lag(topics: list[str]) -> None:
    prefix = os.environ.get("KAFKA_TOPIC_PREFIX", "")
    lag = await consumer_lag(_kafka(), topics or [f"{prefix}{topic_for(s)}" for s in SERVICES])
    console.print(_table("consumer lag (per group and partition)", lag) if lag else "no committed consumer offsets")


async def _stream(given: Databases, service: str, stream_id: str) -> None:
    for line in await stream_events(dsn_for(service, given), service, stream_id):
        print(line)


async def _republish(given: Databases, service: str, from_position: int) -> None:
    pool = await create_pool(dsn_for(service, given), service, max_size=2)
    relay = Relay(EventStore(pool, registry, service), service, _kafka(),
                  topic_prefix=os.environ.get("KAFKA_TOPIC_PREFIX", ""))
    try:
        await relay.start()
        sent = await relay.republish(from_position)
    finally:
        await relay.stop()
        await pool.close()
    console.print(f"republished {sent} events of {service} from position {from_position} to {relay.topic}")


async def _rebuild(given: Databases, path: str, schema: str | None, from_kafka: bool, since: str | None) -> None:
    projection = load_projection(path)
    owner = path.split(".")[1]
    migrations = ROOT / "services" / owner / "migrations"
    sources = {name: dsn_for(name, given) for name in source_services(projection)}
    kafka = None
    if from_kafka:
        kafka = KafkaReplay(_kafka(), os.environ.get("KAFKA_TOPIC_PREFIX", ""),
                            datetime.fromisoformat(since) if since else None)
    result = await rebuild_projection(
        dsn_for(owner, given), projection, schema or owner, migrations, progress_for(console),
        source_databases=sources, kafka=kafka,
    )
    origin = "its topics" + (f" since {since}" if since else "") if from_kafka else "the stores"
    console.print(f"{projection.name}: rebuilt from {origin}: {result['applied']:,} events applied in "
                  f"{result['seconds']} s ({result['events_per_second']:,} events/s; the replay into the scratch"
                  f" tables {result['replay_events_per_second']:,} events/s), swapped in with "
                  f"{result['applied_in_swap']} more that arrived meanwhile"
                  + (f"; {result['refused']} messages outside the contract left out" if result["refused"] else ""))


async def _dlq(given: Databases, action: str, topic: str, refs: list[str], every_open: bool, actor: str | None,
               note: str | None) -> None:
    prefix = os.environ.get("KAFKA_TOPIC_PREFIX", "")
    name = dlq.dlq_topic(topic, prefix)
    messages = await dlq.read_dlq(_kafka(), name)
    state = await dlq.states(messages, lambda service: dsn_for(service, given))
    if action == "list":
        rows = [{**m.summary(), "state": _state(state.get(m.ref))} for m in messages]
        still_open = sum(1 for r in rows if r["state"] == "open")
        console.print(_table(f"{name}: {len(messages)} dead letters, {still_open} open", rows)
                      if rows else f"{name}: empty")
        return
    if every_open:
        chosen = [m for m in messages if _state(state.get(m.ref)) == "open"]
    else:
        by_ref = {m.ref: m for m in messages}
        unknown = [r for r in refs if r not in by_ref]
        if unknown or not refs:
            raise SystemExit(f"no dead letter {', '.join(unknown) or '(none given)'} in {name} (see `dlq list`)")
        chosen = [by_ref[r] for r in refs]
    if action == "show":
        for m in chosen:
            print(json.dumps({**m.as_json(), "state": state.get(m.ref)}, indent=2, ensure_ascii=False, default=str))
        return
    who = actor or os.environ.get("BILLING_OPS_ACTOR") or getpass.getuser()
    dsn = lambda service: dsn_for(service, given)  # noqa: E731
    if action == "retry":
        main_topic = name.removesuffix(".dlq")
        done = await dlq.retry(_kafka(), chosen, dsn, who, note, main_topic)
        console.print(f"{done} dead letters of {name} sent back to their topic, recorded as retried by {who}")
    else:
        done = await dlq.drop(chosen, dsn, who, note)
        console.print(f"{done} dead letters of {name} dropped, recorded by {who}")


def _state(row: dict[str, Any] | None) -> str:
    if row is None or row["resolution"] is None:
        return "open"
    return f"{row['resolution']} by {row['resolved_by']} at {row['resolved_at']:%Y-%m-%d %H:%M}"


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
    parser.add_argument("--dsn", action="append", default=[], metavar="SERVICE=URL",
                        help="a service's database (repeatable); overrides <SERVICE>_DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("positions")
    sub.add_parser("lag").add_argument("topics", nargs="*", help="topic names as on the broker")
    stream = sub.add_parser("stream")
    stream.add_argument("service")
    stream.add_argument("stream_id")
    republish = sub.add_parser("republish")
    republish.add_argument("service", choices=SERVICES)
    republish.add_argument("--from", dest="from_position", type=int, default=1)
    rebuild = sub.add_parser("rebuild")
    rebuild.add_argument("projection", help="e.g. services.gateway.projections.cabinet_payments:CabinetPayments")
    rebuild.add_argument("--schema", default=None, help="the live schema (default: the service's name)")
    rebuild.add_argument("--from-kafka", action="store_true",
                         help="read the projection's topics (earliest offsets) instead of the stores")
    rebuild.add_argument("--since", default=None, metavar="ISO",
                         help="with --from-kafka: from the first offsets at or after this time")
    dead = sub.add_parser("dlq").add_subparsers(dest="dlq_action", required=True)
    for action in ("list", "show", "retry", "drop"):
        one = dead.add_parser(action)
        one.add_argument("topic", help="the main topic (billing.payments.events) or its .dlq")
        if action != "list":
            one.add_argument("refs", nargs="*", metavar="P:O", help="partition:offset in the DLQ (see list)")
            one.add_argument("--all", dest="every_open", action="store_true", help="every open dead letter")
        if action in ("retry", "drop"):
            one.add_argument("--actor", default=None, help="who (default: BILLING_OPS_ACTOR, else the login)")
            one.add_argument("--note", default=None, help="why (the fix, the reason to drop)")
    asyncapi = sub.add_parser("asyncapi")
    asyncapi.add_argument("folder", type=Path)
    clock = sub.add_parser("clock")
    clock.add_argument("action", choices=["advance"])
    clock.add_argument("amount")
    args = parser.parse_args(argv)
    try:
        given = parse_dsn_options(args.dsn)
    except ValueError as error:
        parser.error(str(error))
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
        "positions": lambda: _positions(given),
        "lag": lambda: _lag(args.topics),
        "stream": lambda: _stream(given, args.service, args.stream_id),
        "republish": lambda: _republish(given, args.service, args.from_position),
        "rebuild": lambda: _rebuild(given, args.projection, args.schema, args.from_kafka, args.since),
        "dlq": lambda: _dlq(given, args.dlq_action, args.topic, getattr(args, "refs", []),
                            getattr(args, "every_open", False), getattr(args, "actor", None),
                            getattr(args, "note", None)),
    }
    if args.command == "rebuild" and args.since and not args.from_kafka:
        parser.error("--since goes with --from-kafka")
    configure_logging("ops", "INFO", "console")
    try:
        asyncio.run(actions[args.command]())
    except (KafkaConnectionError, OSError) as error:
        # Where it looked, without user names or passwords.
        databases = ", ".join(f"{name}={redacted(dsn)}" for name, dsn in service_databases(given).items())
        console.print(f"[red]cannot reach a dependency:[/red] {error} "
                      f"(databases: {databases}; KAFKA_BOOTSTRAP_SERVERS={_kafka()})")
        return 2
    return 0
