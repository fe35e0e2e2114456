"""Promised payments still to repay, from billing.payments.events into `promised_payments`, for the
reminder the day before one is due (application/reminders.py schedules and cancels it). Taking,
repaying and expiring one also moves the account's available funds (projections/funds.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from services.notifications.application.context import Notifier
from services.notifications.application.reminders import (
    cancel_promised_payment_reminder,
    schedule_promised_payment_reminder,
)
from services.notifications.projections import Apply
from services.notifications.projections import contracts as c
from services.notifications.projections.funds import move_funds
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["APPLY", "forget_promised_payment", "remember_promised_payment"]


async def remember_promised_payment(
    conn: Connection, notifier: Notifier, promised_payment_id: str, account_id: str, amount: Decimal,
    due_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO promised_payments (promised_payment_id, account_id, outstanding, due_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (promised_payment_id) DO NOTHING",
        promised_payment_id, account_id, amount, due_at,
    )
    await schedule_promised_payment_reminder(conn, notifier, promised_payment_id, due_at)


async def forget_promised_payment(
    conn: Connection, notifier: Notifier, promised_payment_id: str, outstanding: Decimal = Decimal(0)
) -> None:
    """Partly repaid: remember what is left; fully repaid or expired: no reminder."""
    if outstanding > 0:
        await conn.execute("UPDATE promised_payments SET outstanding = $2 WHERE promised_payment_id = $1",
                           promised_payment_id, outstanding)
        return
    await conn.execute("DELETE FROM promised_payments WHERE promised_payment_id = $1", promised_payment_id)
    await cancel_promised_payment_reminder(conn, notifier, promised_payment_id)


async def _taken(conn: Connection, notifier: Notifier, event: IncomingEvent) -> None:
    p = c.PromisedPaymentTaken.model_validate(event.payload)
    await move_funds(conn, event)
    await remember_promised_payment(conn, notifier, p.promised_payment_id, p.account_id, p.amount, p.due_at)


async def _repaid(conn: Connection, notifier: Notifier, event: IncomingEvent) -> None:
    p = c.PromisedPaymentRepaid.model_validate(event.payload)
    await move_funds(conn, event)  # the credit it repaid is taken back (the payment was counted already)
    outstanding = Decimal(0) if p.fully_repaid else p.outstanding
    await forget_promised_payment(conn, notifier, p.promised_payment_id, outstanding)


async def _expired(conn: Connection, notifier: Notifier, event: IncomingEvent) -> None:
    p = c.PromisedPaymentExpired.model_validate(event.payload)
    await move_funds(conn, event)
    await forget_promised_payment(conn, notifier, p.promised_payment_id)


APPLY: dict[str, Apply] = {
    "PromisedPaymentTaken": _taken,
    "PromisedPaymentRepaid": _repaid,
    "PromisedPaymentExpired": _expired,
}
