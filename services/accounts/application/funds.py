"""Use case: financial block and unblock from the account's available funds.

Funds change in the `AvailableFunds` projection (AccountOpened's opening balance, payments'
events, invoicing's charges), which records the new sums and asks for a check through a durable
timer due at once, in the same transaction. The timer's handler then runs an ordinary command on
the account, which compares the funds (shared/funds.py) with the account's state: blocked and back
at zero or above -> lifted; prepaid, unblocked and below zero -> applied; otherwise nothing. So a
charge that takes a prepaid account below zero blocks it, and a payment or promised payment that
brings it back unblocks it. A postpaid account is suspended while a regular invoice that invoicing
found overdue (unpaid past its due date, no guarantee covering it) is still unpaid, payments
paying invoices oldest first (`AccountMoney.overdue_unpaid`), and resumed once it is paid.
Deciding from state (not from the delivery) makes redeliveries, replays and a timer fired twice
harmless, and keeps the consumer free of version conflicts on the account stream (execute()
retries those)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.accounts.application.context import Accounts
from services.accounts.domain.account import PersonalAccount, stream_id_for
from shared.commands import CommandResult, execute
from shared.db import Connection
from shared.eventstore import Metadata
from shared.funds import ZERO, Funds
from shared.money import round_money
from shared.projection import wait_for_stream
from shared.scheduler import schedule_timer

__all__ = [
    "AVAILABLE_FUNDS", "FUNDS_CHECK", "AccountMoney", "FundsSettled", "account_money", "reconcile_financial_block",
    "request_funds_check", "settle_funds",
]

FUNDS_CHECK = "account.funds_check"
#: The projection that counts available funds (projections/available_funds.py).
AVAILABLE_FUNDS = "accounts.available_funds"


async def request_funds_check(conn: Connection, account_id: str, now: datetime) -> None:
    await schedule_timer(conn, f"funds-check:{account_id}", FUNDS_CHECK, now, {"account_id": account_id})


@dataclass(frozen=True)
class AccountMoney:
    """What the financial block is decided on: the one funds formula (shared/funds.py) over the
    projection's sums, and what is left unpaid of the overdue invoices (0.00 when none): the invoices
    up to the latest overdue one, less the opening balance and what payments moved (payments pay the
    oldest invoice first), rounded once."""

    available: Decimal
    overdue_unpaid: Decimal


async def account_money(conn: Connection, account_id: str) -> AccountMoney | None:
    """In one read; None while the account is unknown here."""
    row = await conn.fetchrow(
        "SELECT f.opening_balance, f.movements, f.charged, (SELECT sum(i.total) FROM account_invoices i"
        " WHERE i.account_id = $1 AND i.period <= (SELECT max(o.period) FROM account_invoices o"
        " WHERE o.account_id = $1 AND o.overdue)) AS invoiced FROM available_funds f WHERE f.account_id = $1",
        account_id,
    )
    if row is None or row["opening_balance"] is None:
        return None
    funds = Funds(row["opening_balance"], credited=row["movements"], charged=row["charged"])
    invoiced = row["invoiced"]
    unpaid = ZERO if invoiced is None else max(ZERO, round_money(invoiced - row["opening_balance"] - row["movements"]))
    return AccountMoney(funds.available, unpaid)


async def reconcile_financial_block(ctx: Accounts, account_id: str, metadata: Metadata) -> CommandResult | None:
    async with ctx.store.pool.acquire() as conn:
        money = await account_money(conn, account_id)
    if money is None:
        return None
    now = ctx.clock.now()
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.reconcile_funds(money.available, now, overdue_unpaid=money.overdue_unpaid),
        metadata=metadata, now=now,
    )


@dataclass(frozen=True)
class FundsSettled:
    """The account's financial block as decided on the funds after a payments event: `seen` says
    whether that event was counted in time (else the decision is on the funds before it)."""

    result: CommandResult | None
    seen: bool


async def settle_funds(ctx: Accounts, account_id: str, stream_id: str, version: int, metadata: Metadata,
                       timeout: float) -> FundsSettled:
    """Read-your-writes for the financial block (the gateway asks after a command that moved
    funds): wait, bounded, until the funds count payments' `stream_id` up to `version`, then decide
    at once what the funds-check timer would decide a moment later (from state: the timer firing
    too changes nothing). The result names the account stream's version that holds the decision."""
    seen = await wait_for_stream(ctx.store.pool, AVAILABLE_FUNDS, stream_id, version, timeout)
    return FundsSettled(await reconcile_financial_block(ctx, account_id, metadata), seen)
