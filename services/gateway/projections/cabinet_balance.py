"""The running sums of an account's funds in the cabinet (`cabinet_accounts`), moved by events
exactly as docs/events.md counts them: payments and promised credit in; reversals, repayments
and withdrawn credit out (`balance`: shared/funds.py's `credited`); invoicing's charges (`charged`,
unrounded). The pages add the opening balance from accounts' events and round once
(cabinet_payments_queries.funds)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shared.db import Connection

__all__ = ["move_funds"]

ZERO = Decimal("0")


async def move_funds(
    conn: Connection, account_id: str, at: datetime, *, funds: Decimal = ZERO, paid: Decimal = ZERO,
    promised: Decimal = ZERO, charged: Decimal = ZERO,
) -> None:
    """Add `funds` to the balance, `paid` to the paid total, `promised` to the credit outstanding,
    `charged` to the charges."""
    await conn.execute(
        "INSERT INTO cabinet_accounts (account_id, balance, paid_total, promised_outstanding, charged, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO UPDATE SET"
        " balance = cabinet_accounts.balance + excluded.balance,"
        " paid_total = cabinet_accounts.paid_total + excluded.paid_total,"
        " promised_outstanding = cabinet_accounts.promised_outstanding + excluded.promised_outstanding,"
        " charged = cabinet_accounts.charged + excluded.charged,"
        " updated_at = greatest(cabinet_accounts.updated_at, excluded.updated_at)",
        account_id, funds, paid, promised, charged, at,
    )
