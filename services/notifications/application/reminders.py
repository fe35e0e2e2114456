"""Reminders the service raises itself, from durable timers: a promised payment due tomorrow, and
the end of the billing period for accounts whose funds will not cover the next one (seed 000).

Each reminder has a stable id (a UUID derived from its timer key and the account), so a timer that
fires again after a crash queues nothing twice."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from services.notifications.application.context import Notifier
from services.notifications.application.funds import accounts_short_of_funds
from services.notifications.application.notify import notify_account
from services.notifications.domain.catalog import RULES
from services.notifications.domain.timing import period_end_reminder_at, promised_payment_reminder_at
from shared.calendar import first_of_next_month, local_date
from shared.db import Connection, Pool
from shared.eventstore import Metadata
from shared.logging import new_correlation_id
from shared.scheduler import AfterCommit, DueTimer, cancel_timer, schedule_timer, timer_exists

__all__ = [
    "PERIOD_END",
    "PROMISED_PAYMENT_DUE",
    "cancel_promised_payment_reminder",
    "ensure_period_end_reminder",
    "remind_period_end",
    "remind_promised_payment_due",
    "schedule_promised_payment_reminder",
]

PROMISED_PAYMENT_DUE = "notifications.promised_payment_due"
PERIOD_END = "notifications.period_end_reminder"
_REMINDERS = uuid.UUID("0b5c3d52-8f4e-4c41-9a53-7f3a6f0e2b11")


def _reminder_id(*parts: str) -> str:
    return str(uuid.uuid5(_REMINDERS, ":".join(parts)))


def _metadata(key: str) -> Metadata:
    return Metadata(correlation_id=new_correlation_id(), causation_id=key, actor="notifications")


# -- promised payment due tomorrow --------------------------------------------------------------
def _promised_payment_key(promised_payment_id: str) -> str:
    return f"promised-payment-due:{promised_payment_id}"


async def schedule_promised_payment_reminder(
    conn: Connection, notifier: Notifier, promised_payment_id: str, due_at: datetime
) -> None:
    """The reminder the day before it is due (projections/promised_payments.py keeps the payment)."""
    now = notifier.clock.now()
    if due_at > now:  # heard of late (the service was down)? then remind at once, while it helps
        remind_at = max(promised_payment_reminder_at(due_at), now)
        await schedule_timer(conn, _promised_payment_key(promised_payment_id), PROMISED_PAYMENT_DUE, remind_at,
                             {"promised_payment_id": promised_payment_id})


async def cancel_promised_payment_reminder(conn: Connection, notifier: Notifier, promised_payment_id: str) -> None:
    """Fully repaid or expired: no reminder."""
    await cancel_timer(conn, _promised_payment_key(promised_payment_id), notifier.clock.now())


async def remind_promised_payment_due(notifier: Notifier, conn: Connection, timer: DueTimer) -> AfterCommit | None:
    row = await conn.fetchrow("SELECT * FROM promised_payments WHERE promised_payment_id = $1",
                              timer.payload["promised_payment_id"])
    if row is None or row["outstanding"] <= 0:
        return None
    await notify_account(
        conn, notifier, RULES["PromisedPaymentDueTomorrow"], row["account_id"],
        {"amount": str(row["outstanding"]), "due_at": row["due_at"].isoformat()},
        source_event_id=_reminder_id(timer.key), metadata=_metadata(timer.key), now=notifier.clock.now(),
    )
    return None


# -- end of the billing period --------------------------------------------------------------------
def _period_key(period_start: date) -> str:
    return f"period-end-reminder:{period_start.isoformat()}"


async def _schedule_period_end(conn: Connection, notifier: Notifier, period_start: date) -> None:
    key = _period_key(period_start)
    if await timer_exists(conn, key):
        return  # scheduled (or sent) already: never reset a fired reminder
    due = period_end_reminder_at(period_start, notifier.reminder_days, notifier.timezone)
    await schedule_timer(conn, key, PERIOD_END, due, {"period_start": period_start.isoformat()})


async def ensure_period_end_reminder(pool: Pool, notifier: Notifier) -> None:
    """At start: the next reminder still to come is scheduled (a late start skips a passed one)."""
    now = notifier.clock.now()
    period_start = first_of_next_month(local_date(now, notifier.timezone))
    if period_end_reminder_at(period_start, notifier.reminder_days, notifier.timezone) <= now:
        period_start = first_of_next_month(period_start)
    async with pool.acquire() as conn, conn.transaction():
        await _schedule_period_end(conn, notifier, period_start)


async def remind_period_end(notifier: Notifier, conn: Connection, timer: DueTimer) -> AfterCommit | None:
    period_start = date.fromisoformat(timer.payload["period_start"])
    now = notifier.clock.now()
    for account in await accounts_short_of_funds(conn, period_start):
        await notify_account(
            conn, notifier, RULES["PeriodEndReminder"], account.account_id,
            {"available": str(account.available), "fees": str(account.fees), "shortfall": str(account.shortfall),
             "period_start": period_start.isoformat()},
            source_event_id=_reminder_id(timer.key, account.account_id), metadata=_metadata(timer.key), now=now,
        )
    await _schedule_period_end(conn, notifier, first_of_next_month(period_start))
    return None
