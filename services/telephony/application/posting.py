"""The usage worker: rated usage queued by ingestion and re-rating (`usage_posts`) is posted to
invoicing after commit, never in the request that rated it. Rows are taken with FOR UPDATE SKIP
LOCKED (several processes may run it); invoicing posts one line per usage_id, so a row posted again
after a crash (posted there, not yet marked here) charges nothing twice. A refusal for good (a 4xx,
e.g. `usage.period_invoiced`) is kept on the row with its code; a failure to reach invoicing waits
and is tried again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.telephony.application.context import Telephony
from services.telephony.application.ports import UsageRefused
from shared.logging import get_logger

__all__ = ["drain_usage", "quantity_text"]

log = get_logger(__name__)


def quantity_text(usage_class: str, quantity: int) -> str:
    """As the charges page shows it: a duration `HH:MM:SS` (seed 004: «00:07:00»), or an SMS count."""
    sign = "-" if quantity < 0 else ""
    quantity = abs(quantity)
    if usage_class.startswith("sms-"):
        return f"{sign}{quantity} SMS"
    hours, rest = divmod(quantity, 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _body(row: Any) -> dict[str, Any]:
    return {"usage_id": row["usage_id"], "line_id": row["line_id"], "usage_class": row["usage_class"],
            "description": row["description"], "quantity": quantity_text(row["usage_class"], row["quantity_s"]),
            "day": row["day"].isoformat(), "net": str(row["net"]), "vat_rate": str(row["vat_rate"])}


async def drain_usage(ctx: Telephony) -> int:
    """Post one batch of due usage lines; how many were taken."""
    now = ctx.clock.now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT usage_id, account_id, line_id, day, usage_class, description, quantity_s, net, vat_rate, failures"
            " FROM usage_posts WHERE posted_at IS NULL AND refused_code IS NULL AND not_before <= $1"
            " ORDER BY not_before, usage_id LIMIT $2 FOR UPDATE SKIP LOCKED", now, ctx.posting_batch_size)
        for row in rows:
            try:
                await ctx.usage.post_usage(row["account_id"], _body(row), f"telephony-usage-{row['usage_id']}")
            except UsageRefused as refused:
                log.error("usage.refused", usage_id=row["usage_id"], account_id=row["account_id"], code=refused.code)
                await conn.execute("UPDATE usage_posts SET refused_code = $2 WHERE usage_id = $1",
                                   row["usage_id"], refused.code)
            except Exception as error:
                failures = row["failures"] + 1
                wait = timedelta(seconds=min(300, 2 ** min(failures, 8)))
                log.warning("usage.post_failed", usage_id=row["usage_id"], error=repr(error), failures=failures)
                await conn.execute("UPDATE usage_posts SET failures = $2, not_before = $3 WHERE usage_id = $1",
                                   row["usage_id"], failures, now + wait)
            else:
                await conn.execute("UPDATE usage_posts SET posted_at = $2 WHERE usage_id = $1", row["usage_id"], now)
    return len(rows)
