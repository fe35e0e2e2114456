"""The service's own view of each account's money: available funds (docs/events.md "Money seen the
same way everywhere") and what its service lines and add-ons cost a month, from the accounts' and
payments' events. It decides who gets the end-of-period reminder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from services.notifications.domain.funds import FeeItem, period_fees, shortfall
from shared.db import Connection

__all__ = [
    "ShortOfFunds",
    "accounts_short_of_funds",
    "add_funds",
    "change_fee",
    "close_account",
    "end_fee",
    "open_account",
    "save_fee",
]


@dataclass(frozen=True)
class ShortOfFunds:
    account_id: str
    available: Decimal
    fees: Decimal
    shortfall: Decimal


async def open_account(conn: Connection, account_id: str, payment_form: str, opening_balance: Decimal,
                       at: datetime) -> None:
    await conn.execute(
        "INSERT INTO account_funds (account_id, payment_form, available, updated_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (account_id) DO UPDATE SET payment_form = excluded.payment_form,"
        " available = account_funds.available + excluded.available, updated_at = excluded.updated_at",
        account_id, payment_form, opening_balance, at,
    )


async def add_funds(conn: Connection, account_id: str, delta: Decimal, at: datetime) -> None:
    """A payment (+), a reversal (-), a promised payment's credit (+), its repayment or withdrawal (-)."""
    await conn.execute(
        "INSERT INTO account_funds (account_id, available, updated_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (account_id) DO UPDATE SET available = account_funds.available + excluded.available,"
        " updated_at = excluded.updated_at",
        account_id, delta, at,
    )


async def close_account(conn: Connection, account_id: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO account_funds (account_id, closed, updated_at) VALUES ($1, true, $2)"
        " ON CONFLICT (account_id) DO UPDATE SET closed = true, updated_at = excluded.updated_at",
        account_id, at,
    )


async def save_fee(conn: Connection, account_id: str, item_id: str, monthly_fee: Decimal) -> None:
    await conn.execute(
        "INSERT INTO account_fees (account_id, item_id, monthly_fee) VALUES ($1, $2, $3)"
        " ON CONFLICT (account_id, item_id) DO UPDATE SET monthly_fee = excluded.monthly_fee,"
        " next_fee = NULL, next_fee_from = NULL, ends_on = NULL",
        account_id, item_id, monthly_fee,
    )


async def change_fee(conn: Connection, account_id: str, item_id: str, monthly_fee: Decimal,
                     effective_from: date, today: date) -> None:
    """A tariff change: in force at once, or from `effective_from` (usually the next period)."""
    if effective_from <= today:
        await save_fee(conn, account_id, item_id, monthly_fee)
        return
    await conn.execute(
        "INSERT INTO account_fees (account_id, item_id, monthly_fee, next_fee, next_fee_from)"
        " VALUES ($1, $2, 0, $3, $4) ON CONFLICT (account_id, item_id) DO UPDATE SET"
        " next_fee = excluded.next_fee, next_fee_from = excluded.next_fee_from",
        account_id, item_id, monthly_fee, effective_from,
    )


async def end_fee(conn: Connection, account_id: str, item_id: str, ends_on: date) -> None:
    await conn.execute(
        "UPDATE account_fees SET ends_on = $3 WHERE account_id = $1 AND item_id = $2", account_id, item_id, ends_on
    )


async def accounts_short_of_funds(conn: Connection, period_start: date) -> list[ShortOfFunds]:
    """Prepaid accounts still open whose available funds will not cover the period's fees
    (postpaid accounts are invoiced afterwards: no top-up reminder)."""
    rows = await conn.fetch(
        "SELECT f.account_id, f.available, fee.monthly_fee, fee.next_fee, fee.next_fee_from, fee.ends_on"
        " FROM account_funds f JOIN account_fees fee USING (account_id)"
        " WHERE NOT f.closed AND f.payment_form IS DISTINCT FROM 'postpaid' ORDER BY f.account_id"
    )
    items: dict[str, list[FeeItem]] = {}
    available: dict[str, Decimal] = {}
    for row in rows:
        available[row["account_id"]] = row["available"]
        items.setdefault(row["account_id"], []).append(
            FeeItem(row["monthly_fee"], row["next_fee"], row["next_fee_from"], row["ends_on"])
        )
    short = []
    for account_id, fee_items in items.items():
        fees = period_fees(fee_items, period_start)
        missing = shortfall(available[account_id], fees)
        if missing is not None:
            short.append(ShortOfFunds(account_id, available[account_id], fees, missing))
    return short
