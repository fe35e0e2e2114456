"""Projection `invoicing.payment_facts` of billing.payments.events: money received per account
(payments less reversals) and payment guarantees, for the overdue rule (domain/overdue.py); and
each payment (a reversal marks it), for the reports of payments and charges (application/reports.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from shared.cloudevents import topic_for
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["PaymentFactsProjection"]


class _Money(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str
    amount: Decimal


class _Payment(_Money):
    payment_id: str
    method: str
    paid_at: datetime


class _Reversal(_Money):
    payment_id: str


class _Guarantee(_Money):
    guarantee_id: str
    pay_by: date
    invoice_ref: str | None = None


class PaymentFactsProjection:
    name = "invoicing.payment_facts"
    topics = (topic_for("payments"),)
    tables = ("account_payments", "payment_guarantees", "payment_records")

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        if event.event_type in ("PaymentRegistered", "PaymentReversed"):
            fact = _Money.model_validate(event.payload)
            amount = fact.amount if event.event_type == "PaymentRegistered" else -fact.amount
            await conn.execute("INSERT INTO account_payments (account_id, paid) VALUES ($1, $2) ON CONFLICT"
                               " (account_id) DO UPDATE SET paid = account_payments.paid + excluded.paid",
                               fact.account_id, amount)
            if event.event_type == "PaymentRegistered":
                payment = _Payment.model_validate(event.payload)
                await conn.execute(
                    "INSERT INTO payment_records (payment_id, account_id, amount, method, paid_at) VALUES"
                    " ($1, $2, $3, $4, $5) ON CONFLICT (payment_id) DO NOTHING", payment.payment_id,
                    payment.account_id, payment.amount, payment.method, payment.paid_at)
            else:
                reversal = _Reversal.model_validate(event.payload)
                await conn.execute("UPDATE payment_records SET reversed = true WHERE payment_id = $1",
                                   reversal.payment_id)
        elif event.event_type == "PaymentGuaranteeRegistered":
            guarantee = _Guarantee.model_validate(event.payload)
            await conn.execute(
                "INSERT INTO payment_guarantees (guarantee_id, account_id, amount, pay_by, invoice_ref)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guarantee_id) DO NOTHING", guarantee.guarantee_id,
                guarantee.account_id, guarantee.amount, guarantee.pay_by, guarantee.invoice_ref)
