"""Read-model queries of the cabinet."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.db import Pool

__all__ = ["account_balance", "payment_history"]


async def account_balance(pool: Pool, account_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        "SELECT account_id, balance, paid_total, updated_at FROM cabinet_accounts WHERE account_id = $1",
        account_id,
    )
    if row is None:
        return None
    return {
        "account_id": row["account_id"],
        "balance": str(row["balance"]),
        "paid_total": str(row["paid_total"]),
        "updated_at": row["updated_at"].isoformat(),
    }


def day_bounds(date_from: date | None, date_to: date | None, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(date_from, time.min, tz) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, tz) if date_to else None
    return start, end


async def payment_history(
    pool: Pool, account_id: str, *, start: datetime | None, end: datetime | None, limit: int, offset: int
) -> dict[str, Any]:
    where = (
        "account_id = $1 AND ($2::timestamptz IS NULL OR paid_at >= $2)"
        " AND ($3::timestamptz IS NULL OR paid_at < $3)"
    )
    rows = await pool.fetch(
        f"SELECT payment_id, amount, method, external_id, paid_at, count(*) OVER () AS total"
        f" FROM cabinet_payments WHERE {where} ORDER BY paid_at DESC, payment_id LIMIT $4 OFFSET $5",
        account_id, start, end, limit, offset,
    )
    total = rows[0]["total"] if rows else await pool.fetchval(
        f"SELECT count(*) FROM cabinet_payments WHERE {where}", account_id, start, end
    )
    return {
        "items": [
            {
                "payment_id": str(r["payment_id"]),
                "amount": str(r["amount"]),
                "method": r["method"],
                "external_id": r["external_id"],
                "paid_at": r["paid_at"].isoformat(),
            }
            for r in rows
        ],
        "total": total,
        "limit": limit,
        "offset": offset,
    }
