"""The cabinet's promised payments, autopay state and payment guarantees, from
billing.payments.events (part of the gateway.cabinet_payments projection). Payloads are read by
contract (docs/events.md) with models naming only the fields used here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from services.gateway.projections.cabinet_balance import move_funds
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["CREDIT_EVENTS", "apply_credit_event"]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str


class _Taken(_Payload):
    promised_payment_id: str
    amount: Decimal
    taken_at: datetime
    due_at: datetime


class _Repaid(_Payload):
    promised_payment_id: str
    amount: Decimal
    fully_repaid: bool


class _Expired(_Payload):
    promised_payment_id: str
    withdrawn: Decimal


class _Autopay(_Payload):
    provider: str
    method_masked: str
    cap: Decimal | None = None


class _AutopayOutcome(_Payload):
    period: str
    amount: Decimal
    reason: str | None = None


class _Guarantee(_Payload):
    guarantee_id: str
    amount: Decimal
    pay_by: date
    invoice_ref: str | None = None
    registered_at: datetime | None = None


async def _taken(conn: Connection, event: IncomingEvent) -> None:
    p = _Taken.model_validate(event.payload)
    inserted = await conn.fetchval(
        "INSERT INTO cabinet_promised_payments (promised_payment_id, account_id, amount, taken_at, due_at, status)"
        " VALUES ($1, $2, $3, $4, $5, 'outstanding') ON CONFLICT DO NOTHING RETURNING true",
        p.promised_payment_id, p.account_id, p.amount, p.taken_at, p.due_at,
    )
    if inserted:
        await move_funds(conn, p.account_id, event.occurred_at, funds=p.amount, promised=p.amount)


async def _repaid(conn: Connection, event: IncomingEvent) -> None:
    p = _Repaid.model_validate(event.payload)
    await conn.execute(
        "UPDATE cabinet_promised_payments SET repaid = repaid + $2,"
        " status = CASE WHEN $3::boolean THEN 'repaid' ELSE status END,"
        " settled_at = CASE WHEN $3::boolean THEN $4::timestamptz END"
        " WHERE promised_payment_id = $1",
        p.promised_payment_id, p.amount, p.fully_repaid, event.occurred_at,
    )
    await move_funds(conn, p.account_id, event.occurred_at, funds=-p.amount, promised=-p.amount)


async def _expired(conn: Connection, event: IncomingEvent) -> None:
    p = _Expired.model_validate(event.payload)
    await conn.execute(
        "UPDATE cabinet_promised_payments SET withdrawn = withdrawn + $2, status = 'expired', settled_at = $3"
        " WHERE promised_payment_id = $1",
        p.promised_payment_id, p.withdrawn, event.occurred_at,
    )
    await move_funds(conn, p.account_id, event.occurred_at, funds=-p.withdrawn, promised=-p.withdrawn)


async def _autopay_set(conn: Connection, event: IncomingEvent) -> None:
    p = _Autopay.model_validate(event.payload)
    await conn.execute(
        "INSERT INTO cabinet_autopay (account_id, enabled, provider, method_masked, cap, updated_at)"
        " VALUES ($1, true, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET enabled = true,"
        " provider = excluded.provider, method_masked = excluded.method_masked, cap = excluded.cap,"
        " updated_at = excluded.updated_at",
        p.account_id, p.provider, p.method_masked, p.cap, event.occurred_at,
    )


async def _autopay_disabled(conn: Connection, event: IncomingEvent) -> None:
    await conn.execute(
        "UPDATE cabinet_autopay SET enabled = false, provider = NULL, method_masked = NULL, cap = NULL,"
        " updated_at = $2 WHERE account_id = $1",
        _Payload.model_validate(event.payload).account_id, event.occurred_at,
    )


async def _autopay_outcome(conn: Connection, event: IncomingEvent) -> None:
    p = _AutopayOutcome.model_validate(event.payload)
    outcome = "charged" if event.event_type == "AutopayCharged" else "failed"
    await conn.execute(
        "UPDATE cabinet_autopay SET last_period = $2, last_outcome = $3, last_amount = $4, last_reason = $5,"
        " updated_at = $6 WHERE account_id = $1",
        p.account_id, p.period, outcome, p.amount, p.reason, event.occurred_at,
    )


async def _guarantee(conn: Connection, event: IncomingEvent) -> None:
    p = _Guarantee.model_validate(event.payload)
    await conn.execute(
        "INSERT INTO cabinet_guarantees (guarantee_id, account_id, amount, pay_by, invoice_ref, registered_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        p.guarantee_id, p.account_id, p.amount, p.pay_by, p.invoice_ref, p.registered_at or event.occurred_at,
    )


CREDIT_EVENTS = {
    "PromisedPaymentTaken": _taken,
    "PromisedPaymentRepaid": _repaid,
    "PromisedPaymentExpired": _expired,
    "AutopayEnabled": _autopay_set,
    "AutopayChanged": _autopay_set,
    "AutopayDisabled": _autopay_disabled,
    "AutopayCharged": _autopay_outcome,
    "AutopayFailed": _autopay_outcome,
    "PaymentGuaranteeRegistered": _guarantee,
}


async def apply_credit_event(conn: Connection, event: IncomingEvent) -> None:
    handler = CREDIT_EVENTS.get(event.event_type)
    if handler is not None:
        await handler(conn, event)
