"""Who gets the end-of-period reminder: the service's own view of each account's money (the sums of
shared/funds.py) and of the period's fees as invoicing forecasts them, kept by projections/funds.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.notifications.domain.funds import shortfall
from shared.db import Connection
from shared.funds import Funds

__all__ = ["ShortOfFunds", "accounts_short_of_funds"]


@dataclass(frozen=True)
class ShortOfFunds:
    account_id: str
    available: Decimal
    fees: Decimal
    shortfall: Decimal


async def accounts_short_of_funds(conn: Connection, period_start: date) -> list[ShortOfFunds]:
    """Prepaid accounts still open whose available funds will not cover the period's fees
    (postpaid accounts are invoiced afterwards: no top-up reminder). A period's fees are its
    forecast, or else the latest forecast of an earlier period (fees run on until invoicing
    forecasts otherwise); an account with no forecast has nothing due."""
    rows = await conn.fetch(
        "SELECT f.account_id, f.credited, f.charged, fc.amount AS fees FROM account_funds f"
        " JOIN LATERAL (SELECT amount FROM fee_forecasts WHERE account_id = f.account_id AND period <= $1"
        "  ORDER BY period DESC LIMIT 1) fc ON true"
        " WHERE NOT f.closed AND f.payment_form IS DISTINCT FROM 'postpaid' ORDER BY f.account_id",
        period_start,
    )
    short = []
    for row in rows:
        available = Funds(credited=row["credited"], charged=row["charged"]).available
        missing = shortfall(available, row["fees"])
        if missing is not None:
            short.append(ShortOfFunds(row["account_id"], available, row["fees"], missing))
    return short
