"""Each account's money as the service sees it, from the accounts' and payments' events: available
funds (docs/events.md "Money seen the same way everywhere") into `account_funds`, and what its
service lines and add-ons cost a month into `account_fees` (items `line:<id>`, `add-on:<l>:<s>`,
shared/fees.py). application/funds.py reads them for the end-of-period reminder."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from services.notifications.application.context import Notifier
from services.notifications.projections import Apply
from services.notifications.projections import contracts as c
from shared.calendar import local_date
from shared.db import Connection
from shared.fees import add_on_item, line_item
from shared.projection import IncomingEvent

__all__ = ["APPLY", "add_funds", "change_fee", "close_account", "end_fee", "open_account", "save_fee"]


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


async def save_fee(conn: Connection, account_id: str, item_id: str, monthly_fee: Decimal,
                   starts_on: date | None = None) -> None:
    """An item's fee in force (from `starts_on`, an add-on's connection day), until further notice."""
    await conn.execute(
        "INSERT INTO account_fees (account_id, item_id, monthly_fee, starts_on) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (account_id, item_id) DO UPDATE SET monthly_fee = excluded.monthly_fee,"
        " starts_on = excluded.starts_on, next_fee = NULL, next_fee_from = NULL, ends_on = NULL",
        account_id, item_id, monthly_fee, starts_on,
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


async def _account_opened(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.AccountOpened.model_validate(event.payload)
    await open_account(conn, p.account_id, p.payment_form, p.opening_balance, event.occurred_at)


async def _account_closed(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    await close_account(conn, c.AccountEvent.model_validate(event.payload).account_id, event.occurred_at)


def _funds_move(sign: int) -> Apply:
    async def apply(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
        p = c.AmountEvent.model_validate(event.payload)
        await add_funds(conn, p.account_id, sign * p.amount, event.occurred_at)

    return apply


async def _line_added(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.ServiceLineAdded.model_validate(event.payload)
    await save_fee(conn, p.account_id, line_item(p.line_id), p.monthly_fee)


async def _tariff_changed(conn: Connection, notifier: Notifier, event: IncomingEvent) -> None:
    p = c.TariffChanged.model_validate(event.payload)
    today = local_date(event.occurred_at, notifier.timezone)
    await change_fee(conn, p.account_id, line_item(p.line_id), p.monthly_fee, p.effective_from, today)


async def _add_on_connected(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.AddOnChanged.model_validate(event.payload)
    await save_fee(conn, p.account_id, add_on_item(p.line_id, p.service_id), p.monthly_fee, starts_on=p.on)


async def _add_on_disconnected(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.AddOnChanged.model_validate(event.payload)
    await end_fee(conn, p.account_id, add_on_item(p.line_id, p.service_id), p.on)


APPLY: dict[str, Apply] = {
    "AccountOpened": _account_opened,
    "AccountClosed": _account_closed,
    "ServiceLineAdded": _line_added,
    "TariffChanged": _tariff_changed,
    "AddOnConnected": _add_on_connected,
    "AddOnDisconnected": _add_on_disconnected,
    "PaymentRegistered": _funds_move(+1),
    "PaymentReversed": _funds_move(-1),
}
