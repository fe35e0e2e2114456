"""Read-model queries of the cabinet's payment pages: promised payments, autopay, guarantees (the
balance is `queries.account_balance`, the payment history `queries.payment_history`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.db import Pool

__all__ = ["autopay_settings", "guarantee_history", "promised_payment_history"]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Any) -> str | None:
    return str(value) if value is not None else None


def _promised(row: Any) -> dict[str, Any]:
    return {
        "promised_payment_id": row["promised_payment_id"],
        "amount": str(row["amount"]),
        "repaid": str(row["repaid"]),
        "withdrawn": str(row["withdrawn"]),
        "outstanding": str(row["amount"] - row["repaid"] - row["withdrawn"]),
        "status": row["status"],
        "taken_at": row["taken_at"].isoformat(),
        "due_at": row["due_at"].isoformat(),
        "settled_at": _iso(row["settled_at"]),
    }


async def promised_payment_history(pool: Pool, account_id: str, limit: int, offset: int) -> dict[str, Any]:
    rows = await pool.fetch(
        "SELECT *, count(*) OVER () AS total FROM cabinet_promised_payments WHERE account_id = $1"
        " ORDER BY taken_at DESC, promised_payment_id LIMIT $2 OFFSET $3",
        account_id, limit, offset,
    )
    outstanding = await pool.fetchrow(
        "SELECT * FROM cabinet_promised_payments WHERE account_id = $1 AND status = 'outstanding'"
        " ORDER BY taken_at DESC LIMIT 1",
        account_id,
    )
    total = rows[0]["total"] if rows else await pool.fetchval(
        "SELECT count(*) FROM cabinet_promised_payments WHERE account_id = $1", account_id
    )
    return {
        "outstanding": _promised(outstanding) if outstanding else None,
        "items": [_promised(r) for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


async def autopay_settings(pool: Pool, account_id: str) -> dict[str, Any]:
    row = await pool.fetchrow("SELECT * FROM cabinet_autopay WHERE account_id = $1", account_id)
    last = None
    if row is not None and row["last_period"] is not None:
        last = {"period": row["last_period"], "outcome": row["last_outcome"], "amount": _money(row["last_amount"]),
                "reason": row["last_reason"]}
    return {
        "account_id": account_id,
        "enabled": bool(row and row["enabled"]),
        "provider": row["provider"] if row else None,
        "method_masked": row["method_masked"] if row else None,
        "cap": _money(row["cap"]) if row else None,
        "last_charge": last,
    }


async def guarantee_history(pool: Pool, account_id: str, since: datetime) -> dict[str, Any]:
    rows = await pool.fetch(
        "SELECT * FROM cabinet_guarantees WHERE account_id = $1 AND registered_at >= $2"
        " ORDER BY registered_at DESC, guarantee_id",
        account_id, since,
    )
    return {
        "since": since.isoformat(),
        "items": [
            {"guarantee_id": r["guarantee_id"], "amount": str(r["amount"]), "pay_by": r["pay_by"].isoformat(),
             "invoice_ref": r["invoice_ref"], "registered_at": r["registered_at"].isoformat()}
            for r in rows
        ],
    }
