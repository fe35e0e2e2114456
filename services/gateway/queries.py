"""Read-model queries of the cabinet."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shared.db import Pool
from shared.money import round_money

__all__ = ["account_balance", "payment_history", "twelve_months_before"]


async def account_balance(pool: Pool, account_id: str) -> dict[str, Any] | None:
    """Funds as docs/events.md counts them: the opening balance (accounts' AccountOpened) plus the
    payments side (payments, promised credit, reversals, repayments, withdrawals); `available` is
    what the accounts service's financial blocks decide on (charges join it with invoicing)."""
    row = await pool.fetchrow(
        "SELECT coalesce(d.opening_balance, 0) AS opening_balance, a.balance, a.paid_total,"
        " a.promised_outstanding, a.updated_at FROM (SELECT $1::text AS account_id) k"
        " LEFT JOIN cabinet_accounts a ON a.account_id = k.account_id"
        " LEFT JOIN cabinet_account_directory d ON d.account_id = k.account_id"
        " WHERE a.account_id IS NOT NULL OR d.account_id IS NOT NULL",
        account_id,
    )
    if row is None:
        return None
    balance = round_money(row["opening_balance"] + (row["balance"] or 0))
    return {
        "account_id": account_id,
        "balance": str(balance),
        "available": str(balance),
        "promised_outstanding": str(round_money(row["promised_outstanding"] or Decimal(0))),
        "paid_total": str(round_money(row["paid_total"] or Decimal(0))),
        "opening_balance": str(round_money(row["opening_balance"])),
        "updated_at": row["updated_at"].isoformat() if row["updated_at"] else None,
    }


def twelve_months_before(today: date) -> date:
    """The same day a year earlier (29 February: the 28th)."""
    if today.month == 2 and today.day == 29:
        return today.replace(year=today.year - 1, day=28)
    return today.replace(year=today.year - 1)


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
        f"SELECT payment_id, amount, method, external_id, paid_at, top_up_id, reversed_at, reversal_reason,"
        f" count(*) OVER () AS total"
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
                "top_up_id": r["top_up_id"],
                "reversed": r["reversed_at"] is not None,
                "reversal_reason": r["reversal_reason"],
            }
            for r in rows
        ],
        "total": total,
        "limit": limit,
        "offset": offset,
    }
