"""Queries of the cabinet's payment read models (the tables `cabinet_payments.py` writes): the
balance, the payment history, promised payments, autopay and guarantees."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.gateway.projections.page_reads import SESSION_ENDED, AccountRead
from shared.db import Pool
from shared.funds import ZERO, Funds
from shared.money import round_money

__all__ = [
    "account_balance", "account_balance_read", "autopay_settings", "funds", "guarantee_history", "payment_history",
    "promised_payment_history",
]


async def account_balance(pool: Pool, account_id: str) -> dict[str, Any] | None:
    """Funds as docs/events.md counts them (`funds`), in one read; None for an unknown account."""
    return (await account_balance_read(pool, account_id, "")).page


async def account_balance_read(pool: Pool, account_id: str, session_id: str) -> AccountRead:
    """The balance page in one read by primary keys, with the account's directory row (known,
    organization) and whether the session `session_id` has ended."""
    row = await pool.fetchrow(
        f"SELECT {SESSION_ENDED}, d.account_id IS NOT NULL AS known, d.organization_id,"
        " a.account_id IS NOT NULL OR d.account_id IS NOT NULL AS found,"
        " coalesce(d.opening_balance, 0) AS opening_balance, a.balance, a.paid_total,"
        " a.promised_outstanding, a.charged, a.updated_at FROM (SELECT $1::text AS account_id) k"
        " LEFT JOIN cabinet_accounts a ON a.account_id = k.account_id"
        " LEFT JOIN cabinet_account_directory d ON d.account_id = k.account_id",
        account_id, session_id,
    )
    assert row is not None  # the FROM is one row whatever the account
    page = {"account_id": account_id, **funds(row)} if row["found"] else None
    return AccountRead(row["session_ended"], row["known"], row["organization_id"], page)


def funds(row: Any) -> dict[str, Any]:
    """The money figures of every page, by the one funds formula (shared/funds.py): the opening
    balance (accounts' AccountOpened), the payments side (payments, promised credit, reversals,
    repayments, withdrawals: `balance` in `cabinet_accounts`) less invoicing's charges (`charged`),
    rounded once; NULLs when no payments or invoicing event arrived yet. `available` is what the
    accounts service's financial blocks decide on. `row` has opening_balance, balance, paid_total,
    promised_outstanding, charged, updated_at."""
    sums = Funds(row["opening_balance"] or ZERO, credited=row["balance"] or ZERO, charged=row["charged"] or ZERO)
    available = str(sums.available)
    return {
        "balance": available,
        "available": available,
        "promised_outstanding": str(round_money(row["promised_outstanding"] or ZERO)),
        "paid_total": str(round_money(row["paid_total"] or ZERO)),
        "charged_total": str(sums.charged_total),
        "opening_balance": str(round_money(sums.opening_balance)),
        "updated_at": row["updated_at"].isoformat() if row["updated_at"] else None,
    }


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
