"""Demo calls for a dev stack (`make run` loads them through POST /internal/v1/demo/cdrs, dev only):
deterministic synthetic CDRs of the given numbers, through the real ingestion (rated, stored, their
usage queued for invoicing like any other). They fall between the start of the lines' first tariff
(the day the demo loaded them) and now, and, when asked, over the months before that: those are the
lines' history (`ingest(..., history=True)`: rated by the line's first tariff, shown in the call
detail of past months, never charged, since the demo accounts were not billed here then; README,
"Telephony"). The foreign number only ever calls in: the demo lines have no «Международные звонки»,
so a call out to it would be refused (`cdr.add_on_required`) and dead-lettered on every `make run`."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from services.telephony.application.context import Telephony
from services.telephony.application.ingest import Ingested, ingest
from services.telephony.domain.directory import TariffTerm
from shared.calendar import add_months, month_start, start_of_day
from shared.errors import NotFound

__all__ = ["demo_cdrs", "load_demo_calls"]

DESTINATIONS = ("375291234567", "375447654321", "375331112233", "375256667788", "375172223344", "102")
ABROAD = "4930123456"


def demo_cdrs(numbers: list[str], count: int, seed: int, start: datetime, end: datetime) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    span = max(1, int((end - start).total_seconds()) - 3600)
    items = []
    for n in range(count):
        number = numbers[n % len(numbers)]
        other = rng.choice(DESTINATIONS) if rng.random() < 0.95 else ABROAD
        incoming = rng.random() < 0.35 or other == ABROAD
        sms = rng.random() < 0.1
        started = start + timedelta(seconds=rng.randrange(span))
        items.append({"origin": "demo-switch", "call_id": f"demo-{seed}-{n}", "kind": "sms" if sms else "call",
                      "caller": other if incoming else number, "callee": number if incoming else other,
                      "started_at": started.isoformat(), "duration_s": 0 if sms else rng.choice((0, 15, 61, 180, 600))})
    return items


async def load_demo_calls(ctx: Telephony, numbers: list[str], count: int, seed: int, *, months: int = 0,
                          history_count: int = 0) -> Ingested:
    rows = await ctx.pool.fetch("SELECT identifier, tariffs FROM lines WHERE identifier = ANY($1::text[])", numbers)
    if len(rows) != len(set(numbers)):
        raise NotFound("line.not_found", "some numbers are not known yet (their lines are still being projected)")
    first = min(TariffTerm.model_validate(r["tariffs"][0]).from_day for r in rows)
    since = start_of_day(first, ctx.tz)
    result = await ingest(ctx, demo_cdrs(numbers, count, seed, since, ctx.clock.now()), "demo")
    if months and history_count:
        began = start_of_day(add_months(month_start(first), -months), ctx.tz)
        history = demo_cdrs(numbers, history_count, seed + 1_000_000, began, since)
        past = await ingest(ctx, history, "demo", history=True)
        result.accepted += past.accepted
        result.duplicates += past.duplicates
        result.dead_letters.extend(past.dead_letters)
    return result
