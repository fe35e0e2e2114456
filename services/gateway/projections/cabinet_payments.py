"""The cabinet's balance and payment history (reversals included), built from billing.payments.events;
promised payments, autopay and guarantees are applied by `cabinet_credit.py` in the same projection,
so one read-your-writes wait covers every payments command; invoicing's charges by
`cabinet_charges.py`, into the same row of funds (the summary and balance read one row).

The gateway reads other services' events by their published contract (the JSON payload), never
by importing their classes: each model here names only the fields the cabinet needs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from services.gateway.projections.cabinet_balance import move_funds
from services.gateway.projections.cabinet_charges import apply_charge_event
from services.gateway.projections.cabinet_credit import apply_credit_event
from services.gateway.projections.cabinet_payments_bulk import BULK
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
    top_up_id: str | None = None


class _PaymentReversed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str
    payment_id: str
    amount: Decimal
    reason: str


class CabinetPayments:
    name = "gateway.cabinet_payments"
    topics = (topic_for("payments"), topic_for("invoicing"))
    #: The tables this projection alone writes (what `billing rebuild` replaces).
    tables = ("cabinet_accounts", "cabinet_payments", "cabinet_promised_payments", "cabinet_autopay",
              "cabinet_guarantees", "cabinet_posted_charges")
    #: Several events of a type at once, for rebuilds and consumer batches (shared/projection.py).
    bulk = BULK

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        if event.source == "/billing/invoicing":
            await apply_charge_event(conn, event)
        elif event.event_type == "PaymentRegistered":
            await self._payment_registered(conn, _PaymentRegistered.model_validate(event.payload), event)
        elif event.event_type == "PaymentReversed":
            await self._payment_reversed(conn, _PaymentReversed.model_validate(event.payload), event)
        else:
            await apply_credit_event(conn, event)

    async def _payment_registered(self, conn: Connection, p: _PaymentRegistered, event: IncomingEvent) -> None:
        inserted = await conn.fetchval(
            "INSERT INTO cabinet_payments (payment_id, account_id, amount, method, external_id, paid_at,"
            " registered_at, top_up_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (payment_id) DO NOTHING"
            " RETURNING true",
            p.payment_id, p.account_id, p.amount, p.method, p.external_id, p.paid_at, event.occurred_at, p.top_up_id,
        )
        if inserted:
            await move_funds(conn, p.account_id, event.occurred_at, funds=p.amount, paid=p.amount)

    async def _payment_reversed(self, conn: Connection, p: _PaymentReversed, event: IncomingEvent) -> None:
        reversed_now = await conn.fetchval(
            "UPDATE cabinet_payments SET reversed_at = $2, reversal_reason = $3"
            " WHERE payment_id = $1 AND reversed_at IS NULL RETURNING true",
            p.payment_id, event.occurred_at, p.reason,
        )
        if reversed_now:
            await move_funds(conn, p.account_id, event.occurred_at, funds=-p.amount)
