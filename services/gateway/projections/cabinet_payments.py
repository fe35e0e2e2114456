"""The cabinet's balance and payment history, built from billing.payments.events.

The gateway reads other services' events by their published contract (the JSON payload), never
by importing their classes: each model here names only the fields the cabinet needs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from shared.cloudevents import topic_for
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["CabinetPayments"]


class _PaymentRegistered(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str
    payment_id: str
    amount: Decimal
    method: str
    external_id: str
    paid_at: datetime


class CabinetPayments:
    name = "gateway.cabinet_payments"
    topics = (topic_for("payments"),)
    #: The tables this projection alone writes (what `billing rebuild` replaces).
    tables = ("cabinet_accounts", "cabinet_payments")

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        if event.event_type == "PaymentRegistered":
            await self._payment_registered(conn, _PaymentRegistered.model_validate(event.payload), event)

    async def _payment_registered(self, conn: Connection, p: _PaymentRegistered, event: IncomingEvent) -> None:
        inserted = await conn.fetchval(
            "INSERT INTO cabinet_payments (payment_id, account_id, amount, method, external_id, paid_at,"
            " registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (payment_id) DO NOTHING"
            " RETURNING true",
            p.payment_id, p.account_id, p.amount, p.method, p.external_id, p.paid_at, event.occurred_at,
        )
        if not inserted:
            return
        await conn.execute(
            "INSERT INTO cabinet_accounts (account_id, balance, paid_total, updated_at) VALUES ($1, $2, $2, $3)"
            " ON CONFLICT (account_id) DO UPDATE SET balance = cabinet_accounts.balance + excluded.balance,"
            " paid_total = cabinet_accounts.paid_total + excluded.paid_total,"
            " updated_at = greatest(cabinet_accounts.updated_at, excluded.updated_at)",
            p.account_id, p.amount, event.occurred_at,
        )
