"""Who gets the end-of-period reminder: the service's own view of each account's money (available
funds and what its service lines and add-ons cost a month), kept by projections/funds.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.notifications.domain.funds import shortfall
from shared.db import Connection
from shared.fees import FeeItem, period_fees

__all__ = ["ShortOfFunds", "accounts_short_of_funds"]


@dataclass(frozen=True)
class ShortOfFunds:
    account_id: str
    available: Decimal
    fees: Decimal
    shortfall: Decimal


async def accounts_short_of_funds(conn: Connection, period_start: date) -> list[ShortOfFunds]:
    """Prepaid accounts still open whose available funds will not cover the period's fees
    (postpaid accounts are invoiced afterwards: no top-up reminder)."""
    rows = await conn.fetch(
        "SELECT f.account_id, f.available, fee.monthly_fee, fee.next_fee, fee.next_fee_from, fee.ends_on,"
        " fee.starts_on"
        " FROM account_funds f JOIN account_fees fee USING (account_id)"
        " WHERE NOT f.closed AND f.payment_form IS DISTINCT FROM 'postpaid' ORDER BY f.account_id"
    )
    items: dict[str, list[FeeItem]] = {}
    available: dict[str, Decimal] = {}
    for row in rows:
        available[row["account_id"]] = row["available"]
        items.setdefault(row["account_id"], []).append(
            FeeItem(row["monthly_fee"], row["next_fee"], row["next_fee_from"], row["ends_on"], row["starts_on"])
        )
    short = []
    for account_id, fee_items in items.items():
        fees = period_fees(fee_items, period_start)
        missing = shortfall(available[account_id], fees)
        if missing is not None:
            short.append(ShortOfFunds(account_id, available[account_id], fees, missing))
    return short
