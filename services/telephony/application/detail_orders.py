"""Use case: call detail ordered by e-mail (seed 004 2.3) for the current and the previous month, a
date range within them, a direction and a list of the client's own numbers (`375…;375…`: a number of
another client is refused, `detail.foreign_number`). The order is recorded at once; the detail
worker builds the file after commit (`drain_detail_orders`) and hands it to the notifications
service, which mails it as an attachment (once per order id there, so a retry mails nothing twice).

File: CSV (`;`-separated, UTF-8): number, direction, kind, caller, callee, started_at (local),
duration_s, destination, time_class, billed_s, bundle_s, net."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, timedelta
from typing import Any, Literal

from services.telephony.application.context import Telephony
from shared.calendar import add_months, month_start, start_of_day
from shared.errors import DomainError
from shared.logging import get_logger

__all__ = ["drain_detail_orders", "order_detail"]

log = get_logger(__name__)
_NUMBER = re.compile(r"375[0-9]{9}", re.ASCII)
_ORDERS = uuid.UUID("0b0f6d0e-3c55-4c53-8d1a-6a2f2f7d9e41")
COLUMNS = ("number", "direction", "kind", "caller", "callee", "started_at", "duration_s", "destination",
           "time_class", "billed_s", "bundle_s", "net")


def _mask(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


async def order_detail(ctx: Telephony, account_id: str, numbers_text: str, date_from: date, date_to: date,
                       direction: Literal["out", "in", "both"], email: str, actor: str,
                       key: str | None) -> dict[str, Any]:
    numbers = sorted({n.strip() for n in numbers_text.split(";") if n.strip()})
    malformed = [n for n in numbers if not _NUMBER.fullmatch(n)]
    if not numbers or malformed:
        raise DomainError("detail.numbers_invalid", "numbers are 375xxxxxxxxx separated by ';'", numbers=malformed)
    today = ctx.today()
    earliest = add_months(month_start(today), -1)
    if not earliest <= date_from <= date_to <= today:
        raise DomainError("detail.range_out_of_range", "the current and the previous month only, from before to",
                          earliest=earliest.isoformat(), latest=today.isoformat())
    own = {r["identifier"] for r in await ctx.pool.fetch(
        "SELECT l.identifier FROM lines l WHERE l.identifier = ANY($2::text[]) AND (l.account_id = $1 OR"
        " l.organization_id = (SELECT organization_id FROM accounts WHERE account_id = $1))", account_id, numbers)}
    foreign = [n for n in numbers if n not in own]
    if foreign:
        raise DomainError("detail.foreign_number", "the numbers must belong to your company", numbers=foreign)
    order_id = str(uuid.uuid5(_ORDERS, f"{actor}:{account_id}:{key}") if key else uuid.uuid4())
    now = ctx.clock.now()
    inserted = await ctx.pool.fetchval(
        "INSERT INTO detail_orders (order_id, account_id, numbers, date_from, date_to, direction, email, ordered_by,"
        " ordered_at, not_before) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (order_id) DO NOTHING"
        " RETURNING true", order_id, account_id, numbers, date_from, date_to, direction, email, actor, now)
    row = await ctx.pool.fetchrow("SELECT numbers, date_from, date_to, direction, email FROM detail_orders"
                                  " WHERE order_id = $1", order_id)
    assert row is not None  # inserted above, or by the first order under this key
    return {"order_id": order_id, "account_id": account_id, "status": "ordered", "numbers": list(row["numbers"]),
            "date_from": row["date_from"].isoformat(), "date_to": row["date_to"].isoformat(),
            "direction": row["direction"], "email_masked": _mask(row["email"]), "repeated": not inserted}


async def detail_file(ctx: Telephony, numbers: list[str], date_from: date, date_to: date, direction: str) -> bytes:
    directions = ["out", "in"] if direction == "both" else [direction]
    rows = await ctx.pool.fetch(
        "SELECT l.identifier AS number, c.direction, c.kind, c.caller, c.callee, c.started_at, c.duration_s,"
        " c.destination, c.time_class, c.billed_s, c.bundle_s, c.net FROM calls c JOIN lines l ON l.line_id = c.line_id"
        " WHERE l.identifier = ANY($1::text[]) AND c.started_at >= $2 AND c.started_at < $3"
        " AND c.direction = ANY($4::text[]) ORDER BY l.identifier, c.started_at",
        numbers, start_of_day(date_from, ctx.tz), start_of_day(date_to + timedelta(days=1), ctx.tz), directions)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r["number"], r["direction"], r["kind"], r["caller"], r["callee"],
                         r["started_at"].astimezone(ctx.tz).isoformat(), r["duration_s"], r["destination"] or "",
                         r["time_class"] or "", r["billed_s"], r["bundle_s"], r["net"]])
    return out.getvalue().encode("utf-8")


async def drain_detail_orders(ctx: Telephony, batch: int = 5) -> int:
    """Build and hand over the due orders' files; how many orders were taken."""
    if ctx.mailer is None:
        return 0
    now = ctx.clock.now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        orders = await conn.fetch(
            "SELECT order_id, account_id, numbers, date_from, date_to, direction, email, failures FROM detail_orders"
            " WHERE sent_at IS NULL AND not_before <= $1 ORDER BY not_before LIMIT $2 FOR UPDATE SKIP LOCKED",
            now, batch)
        for order in orders:
            content = await detail_file(ctx, list(order["numbers"]), order["date_from"], order["date_to"],
                                        order["direction"])
            name = f"detail-{order['date_from']:%Y%m%d}-{order['date_to']:%Y%m%d}.csv"
            try:
                await ctx.mailer.send_detail(order["order_id"], order["email"], order["account_id"], name, content)
            except Exception as error:
                failures = order["failures"] + 1
                log.warning("detail.send_failed", order_id=order["order_id"], error=repr(error), failures=failures)
                wait = timedelta(seconds=min(3600, 2 ** min(failures, 11)))
                await conn.execute("UPDATE detail_orders SET failures = $2, not_before = $3 WHERE order_id = $1",
                                   order["order_id"], failures, now + wait)
            else:
                await conn.execute("UPDATE detail_orders SET sent_at = $2 WHERE order_id = $1", order["order_id"], now)
    return len(orders)
