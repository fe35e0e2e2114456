"""The running sums of an account's funds in the cabinet (`cabinet_accounts`), moved by events
exactly as docs/events.md counts them: payments and promised credit in; reversals, repayments
and withdrawn credit out (`balance`: shared/funds.py's `credited`); invoicing's charges (`charged`,
unrounded). The pages add the opening balance from accounts' events and round once
(cabinet_payments_queries.funds)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from shared.db import Connection
from shared.projection import defer

__all__ = ["FundsMove", "move_funds", "move_funds_many"]

ZERO = Decimal("0")

#: account, when, funds, paid, promised, charged
FundsMove = tuple[str, datetime, Decimal, Decimal, Decimal, Decimal]

_MOVE = (
    "INSERT INTO cabinet_accounts (account_id, balance, paid_total, promised_outstanding, charged, updated_at)"
    " SELECT * FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[],"
    " $6::timestamptz[])"
    " ON CONFLICT (account_id) DO UPDATE SET"
    " balance = cabinet_accounts.balance + excluded.balance,"
    " paid_total = cabinet_accounts.paid_total + excluded.paid_total,"
    " promised_outstanding = cabinet_accounts.promised_outstanding + excluded.promised_outstanding,"
    " charged = cabinet_accounts.charged + excluded.charged,"
    " updated_at = greatest(cabinet_accounts.updated_at, excluded.updated_at)"
)


async def move_funds(
    conn: Connection, account_id: str, at: datetime, *, funds: Decimal = ZERO, paid: Decimal = ZERO,
    promised: Decimal = ZERO, charged: Decimal = ZERO,
) -> None:
    """Add `funds` to the balance, `paid` to the paid total, `promised` to the credit outstanding,
    `charged` to the charges."""
    await move_funds_many(conn, [(account_id, at, funds, paid, promised, charged)])


async def move_funds_many(conn: Connection, moves: Iterable[FundsMove]) -> None:
    """Several moves in one statement (summed per account: the moves add up, in any order); in a
    batch's bulk handlers, one statement at the end of the batch (`shared.projection.defer`)."""
    moves = list(moves)
    if moves and not defer(_write, moves):
        await _write(conn, moves)


async def _write(conn: Connection, moves: list[FundsMove]) -> None:
    totals: dict[str, FundsMove] = {}
    for move in moves:
        account_id, at, funds, paid, promised, charged = move
        prior = totals.get(account_id)
        totals[account_id] = move if prior is None else (
            account_id, max(prior[1], at), prior[2] + funds, prior[3] + paid, prior[4] + promised, prior[5] + charged)
    if not totals:
        return
    rows = list(totals.values())
    await conn.execute(_MOVE, *([r[i] for r in rows] for i in (0, 2, 3, 4, 5, 1)))
