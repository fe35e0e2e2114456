"""Use case: re-rate a period (after a rating-plan correction) for one account or all.

In one transaction, with every line of the period locked (`line_months`, in line order): the
period's outgoing calls are rated again in call order with the plans as they are now, the bundles
used from zero; then, per account, line, local day and usage class, what was queued for invoicing
so far (the sum of its `usage_posts`) is compared with the new figure, and where they differ a
refund of the old sum and a charge of the new one are queued (usage ids `r<batch>-<n>`). Calls from
before their line's first tariff are history (`ingest(..., history=True)`): never charged, left
alone. The sum per
key is always the calls' current net: re-rating twice changes nothing the second time, and no line
is charged twice (invoicing takes each usage_id once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.telephony.application.context import Telephony
from services.telephony.application.ingest import (
    LINE_COLUMNS,
    LineRow,
    UsageKey,
    lock_line_months,
    queue_usage,
    save_line_months,
)
from services.telephony.domain.directory import add_ons_on, tariff_on
from services.telephony.domain.rating import RatingRefused, rate
from shared.calendar import first_of_next_month, month_start, start_of_day
from shared.errors import DomainError

__all__ = ["Rerated", "rerate_period"]


@dataclass(frozen=True)
class Rerated:
    calls: int
    changed: int
    usage_lines: int

    def as_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, "changed_calls": self.changed, "usage_lines": self.usage_lines}


async def rerate_period(ctx: Telephony, period: date, account_id: str | None = None) -> Rerated:
    period = month_start(period)
    after = first_of_next_month(period)
    start, end = start_of_day(period, ctx.tz), start_of_day(after, ctx.tz)
    scope = "" if account_id is None else " AND account_id = $3"
    args: list[Any] = [start, end] + ([account_id] if account_id is not None else [])
    async with ctx.pool.acquire() as conn, conn.transaction():
        line_ids = [r["line_id"] for r in await conn.fetch(
            "SELECT DISTINCT line_id FROM calls WHERE direction = 'out' AND started_at >= $1 AND started_at < $2"
            f"{scope}", *args)]
        if not line_ids:
            return Rerated(0, 0, 0)
        await lock_line_months(conn, {(line_id, period) for line_id in line_ids})
        lines = {r["line_id"]: LineRow.of(r) for r in await conn.fetch(
            f"SELECT {LINE_COLUMNS} WHERE l.line_id = ANY($1::text[])", line_ids)}
        calls = await conn.fetch(
            "SELECT origin, call_id, line_id, account_id, kind, callee, started_at, duration_s, usage_class, billed_s,"
            " bundle_s, net FROM calls WHERE direction = 'out' AND started_at >= $1 AND started_at < $2"
            f"{scope} ORDER BY started_at, origin, call_id", *args)
        used: dict[str, int] = dict.fromkeys(line_ids, 0)
        totals: dict[UsageKey, tuple[Decimal, int, str]] = {}
        changed = []
        for call in calls:
            line = lines[call["line_id"]]
            moment = call["started_at"].astimezone(ctx.tz)
            day = moment.date()
            tariff = tariff_on(line.tariffs, day)
            add_ons = add_ons_on(line.add_ons, day)
            if tariff is None:  # before the line's first tariff: history (ingest's), never charged
                continue
            left = max(0, ctx.plans.bundle_seconds(add_ons) - used[line.line_id])
            try:
                rated = rate(ctx.plans, tariff.tariff_id, add_ons, kind=call["kind"], callee=call["callee"],
                             local_start=moment, duration_s=call["duration_s"], bundle_left_s=left)
            except RatingRefused as refused:
                raise DomainError("rerate.refused", f"call {call['origin']}/{call['call_id']}: {refused}",
                                  cause=refused.code) from None
            used[line.line_id] += rated.bundle_s
            key = (line.account_id, line.line_id, day, rated.posted_class)
            net, quantity, _ = totals.get(key, (Decimal(0), 0, rated.label))
            totals[key] = (net + rated.net, quantity + rated.billed_s, rated.label)
            if (rated.usage_class, rated.billed_s, rated.bundle_s, rated.net) != (
                    call["usage_class"], call["billed_s"], call["bundle_s"], call["net"]):
                changed.append((call["origin"], call["call_id"], rated.destination, rated.time_class,
                                rated.usage_class, rated.billed_s, rated.bundle_s, rated.net))
        if changed:
            await conn.execute("CREATE TEMP TABLE rerated (origin text, call_id text, destination text,"
                               " time_class text, usage_class text, billed_s integer, bundle_s integer,"
                               " net numeric(18, 4)) ON COMMIT DROP")
            await conn.copy_records_to_table("rerated", records=changed)
            await conn.execute(
                "UPDATE calls c SET destination = r.destination, time_class = r.time_class,"
                " usage_class = r.usage_class, billed_s = r.billed_s, bundle_s = r.bundle_s, net = r.net"
                " FROM rerated r WHERE c.origin = r.origin AND c.call_id = r.call_id AND c.direction = 'out'")
        await save_line_months(conn, {(line_id, period): seconds for line_id, seconds in used.items()})
        queued = await conn.fetch(
            "SELECT account_id, line_id, day, usage_class, sum(net) AS net, sum(quantity_s) AS quantity,"
            " min(description) AS description FROM usage_posts WHERE line_id = ANY($1::text[])"
            " AND day >= $2 AND day < $3 GROUP BY account_id, line_id, day, usage_class",
            line_ids, period, after)
        before = {(r["account_id"], r["line_id"], r["day"], r["usage_class"]):
                  (Decimal(r["net"]), int(r["quantity"]), r["description"]) for r in queued}
        refunds: dict[UsageKey, tuple[Decimal, int, str]] = {}
        charges: dict[UsageKey, tuple[Decimal, int, str]] = {}
        for key in sorted(set(before) | set(totals)):  # usage ids in key order
            old, new = before.get(key), totals.get(key)
            if old is not None and new is not None and (old[0], old[1]) == (new[0], new[1]):
                continue
            if old is not None and (old[0] != 0 or old[1] != 0):
                refunds[key] = (-old[0], -old[1], f"Перерасчёт: {old[2]}")
            if new is not None:
                charges[key] = new
        queued_lines = await queue_usage(ctx, conn, refunds, "r") + await queue_usage(ctx, conn, charges, "r")
    return Rerated(len(calls), len(changed), queued_lines)
