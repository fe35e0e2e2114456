"""Available funds per account (shared/funds.py, docs/events.md "Money seen the same way
everywhere"): the opening balance from our own AccountOpened, what billing.payments.events move
(payments, reversals, promised credit) and the charges billing.invoicing.events post. Other
services' events are read by contract: `shared.funds.movement` and our own models of the payload
fields, never their classes. A charge counts once per charge_id (`posted_charges`), whatever
delivers it again. The regular invoices and which of them are overdue (`account_invoices`) decide a
postpaid account's suspension. Every change asks for a funds check (application/funds.py) in the same
transaction. Only this projection writes its tables, so `billing rebuild` can rebuild them from the
three stores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from services.accounts.application.funds import AVAILABLE_FUNDS, request_funds_check
from shared.clock import Clock, SystemClock
from shared.cloudevents import topic_for
from shared.db import Connection
from shared.funds import movement
from shared.projection import IncomingEvent

__all__ = ["AvailableFunds"]


class _AccountEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str


class _Opened(_AccountEvent):
    opening_balance: Decimal = Decimal("0")


class _ChargePosted(_AccountEvent):
    charge_id: str
    total: Decimal


class _Invoice(_AccountEvent):
    invoice_id: str
    period: date
    total: Decimal


class AvailableFunds:
    name = AVAILABLE_FUNDS
    topics = (topic_for("accounts"), topic_for("payments"), topic_for("invoicing"))
    tables = ("available_funds", "posted_charges", "account_invoices")

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        if event.event_type == "AccountOpened" and event.source == "/billing/accounts":
            await self._opened(conn, _Opened.model_validate(event.payload))
            return
        if event.source == "/billing/invoicing" and event.event_type in ("InvoiceIssued", "InvoiceOverdue"):
            await self._invoice(conn, _Invoice.model_validate(event.payload), event.event_type == "InvoiceOverdue")
            return
        move = movement(event.source, event.event_type, event.payload)
        if move is None:
            return
        account_id = _AccountEvent.model_validate(event.payload).account_id
        if event.event_type == "ChargePosted" and not await self._first_posting(conn, event):
            return
        now = self.clock.now()
        await conn.execute(
            "INSERT INTO available_funds (account_id, movements, charged, updated_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (account_id) DO UPDATE SET movements = available_funds.movements + excluded.movements,"
            " charged = available_funds.charged + excluded.charged, updated_at = excluded.updated_at",
            account_id, move.credited, move.charged, now,
        )
        await request_funds_check(conn, account_id, now)

    async def _first_posting(self, conn: Connection, event: IncomingEvent) -> bool:
        charge = _ChargePosted.model_validate(event.payload)
        return bool(await conn.fetchval(
            "INSERT INTO posted_charges (charge_id, account_id, total) VALUES ($1, $2, $3)"
            " ON CONFLICT (charge_id) DO NOTHING RETURNING true",
            charge.charge_id, charge.account_id, charge.total,
        ))

    async def _invoice(self, conn: Connection, invoice: _Invoice, overdue: bool) -> None:
        """An invoice issued, or found overdue (whichever arrives first records it)."""
        await conn.execute(
            "INSERT INTO account_invoices (invoice_id, account_id, period, total, overdue) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (invoice_id) DO UPDATE SET overdue = account_invoices.overdue OR excluded.overdue",
            invoice.invoice_id, invoice.account_id, invoice.period, invoice.total, overdue,
        )
        if overdue:
            await request_funds_check(conn, invoice.account_id, self.clock.now())

    async def _opened(self, conn: Connection, opened: _Opened) -> None:
        now = self.clock.now()
        await conn.execute(
            "INSERT INTO available_funds (account_id, opening_balance, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (account_id) DO UPDATE SET opening_balance = excluded.opening_balance,"
            " updated_at = excluded.updated_at",
            opened.account_id, opened.opening_balance, now,
        )
        await request_funds_check(conn, opened.account_id, now)
