"""Ingest CDRs from a CSV file (operators; the same ingestion as Kafka and the HTTP batch):
`python -m services.telephony.entrypoints.cdr_cli FILE.csv [BATCH_SIZE]`.

The file: UTF-8, comma-separated, a header row naming the columns
`origin,call_id,kind,caller,callee,started_at,duration_s` (any order; `kind` may be left out: `call`),
one CDR a row, e.g.

    origin,call_id,kind,caller,callee,started_at,duration_s
    sw-minsk-1,2026-11-18-000123,call,375170003003,375331234567,2026-11-18T10:15:00+03:00,61
    sw-minsk-1,2026-11-18-000124,sms,375291003003,375291003004,2026-11-18T10:16:00+03:00,0

Safe to run again on the same file: CDRs already taken are counted as duplicates. A malformed row
goes to the dead letters (its reason printed) and the rest go on. No rated usage is posted from
here: the service's usage worker posts what this command queued. Prints a summary per batch."""

from __future__ import annotations

import asyncio
import csv
import sys
from pathlib import Path
from typing import Any

import services.telephony.domain.events  # noqa: F401  (registers the events)
from services.telephony.adapters.switch import DevSipSwitch
from services.telephony.adapters.wiring import load_plans, wire_telephony
from services.telephony.application.context import Telephony
from services.telephony.application.ingest import ingest
from services.telephony.application.ports import UsageRefused
from services.telephony.domain.cdr import CSV_COLUMNS
from services.telephony.settings import TelephonySettings
from shared.clock import clock_for
from shared.db import create_pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.logging import configure_logging
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from shared.settings import load_settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


class _NoPosting:
    """This command only queues usage (the service's worker posts it)."""

    async def post_usage(self, account_id: str, body: dict[str, Any], idempotency_key: str) -> None:
        raise UsageRefused("cli.does_not_post")


def rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(CSV_COLUMNS) - {"kind"} - set(reader.fieldnames or ())
        if missing:
            raise SystemExit(f"{path}: the header lacks {', '.join(sorted(missing))}")
        return [{k: v for k, v in row.items() if k in CSV_COLUMNS and v not in (None, "")} for row in reader]


async def ingest_file(ctx: Telephony, path: Path, batch_size: int) -> dict[str, int]:
    items = rows(path)
    totals = {"accepted": 0, "duplicates": 0, "dead_lettered": 0}
    for start in range(0, len(items), batch_size):
        result = await ingest(ctx, items[start:start + batch_size], f"csv:{path.name}"[:100])
        totals["accepted"] += result.accepted
        totals["duplicates"] += result.duplicates
        totals["dead_lettered"] += len(result.dead_letters)
        for dead in result.dead_letters:
            print(f"row {start + dead.index + 2}: {dead.code}: {dead.reason}", flush=True)
        print(f"{path.name}: rows {start + 1}-{start + len(items[start:start + batch_size])}: "
              f"{result.accepted} accepted, {result.duplicates} duplicates, {len(result.dead_letters)} dead letters",
              flush=True)
    return totals


async def main(path: Path, batch_size: int) -> int:
    settings = load_settings(TelephonySettings)
    configure_logging("telephony", settings.log_level, settings.log_format)
    await apply_migrations(settings.database_url, "telephony",
                           discover(KERNEL_SQL, MIGRATIONS, prefixes=("kernel", "telephony")))
    pool = await create_pool(settings.database_url, "telephony", max_size=2)
    clock = clock_for(settings.billing_env, settings.dev_clock_file)
    ctx = wire_telephony(EventStore(pool, registry, "telephony"), clock, settings.timezone,
                         load_plans(settings.rating_plans), _NoPosting(), DevSipSwitch())
    try:
        totals = await ingest_file(ctx, path, batch_size)
    finally:
        await pool.close()
    print(f"{path.name}: {totals}", flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: python -m services.telephony.entrypoints.cdr_cli FILE.csv [BATCH_SIZE]")
    raise SystemExit(asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) == 3 else 5000)))
