"""Postpaid invoices unpaid past their due date become overdue once, by the day timer, unless paid
(payments' facts, projected) or covered by a guarantee naming them."""

from __future__ import annotations

import uuid
from datetime import date

from services.invoicing.application.bill_run import invoice_account
from services.invoicing.application.context import Invoicing
from services.invoicing.application.days import begin_day
from services.invoicing.projections.payment_facts import PaymentFactsProjection
from shared.clock import FakeClock
from shared.eventstore import Metadata
from shared.projection import IncomingEvent, apply_batch
from tests.invoicing.factories import at, feed_facts, opened_isp_account


def _payments(*facts: tuple[str, dict[str, object]]) -> list[IncomingEvent]:
    return [IncomingEvent(event_id=str(uuid.uuid4()), source="/billing/payments", event_type=kind, schema_version=1,
                          stream_id=f"payment-{uuid.uuid4()}", stream_version=1, global_position=None,
                          subject=str(payload["account_id"]), occurred_at=at("2026-12-05"), payload=payload,
                          correlation_id="test") for kind, payload in facts]


async def _overdue_events(invoicing: Invoicing) -> list[tuple[str, str]]:
    rows = await invoicing.pool.fetch("SELECT stream_id, payload FROM events WHERE event_type = 'InvoiceOverdue'"
                                      " ORDER BY global_position")
    return [(r["payload"]["invoice_id"], r["payload"]["unpaid"]) for r in rows]


async def _day(invoicing: Invoicing, clock: FakeClock, day: str) -> None:
    clock.set(at(day, 0))
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await begin_day(invoicing, conn, date.fromisoformat(day))


async def test_an_unpaid_postpaid_invoice_becomes_overdue_once_after_its_due_date(
        invoicing: Invoicing, clock: FakeClock) -> None:
    for account_id, form in (("3003", "postpaid"), ("3004", "postpaid"), ("1015", "prepaid")):
        await feed_facts(invoicing.pool, opened_isp_account(account_id, at("2026-10-15"), payment_form=form))
        async with invoicing.pool.acquire() as conn, conn.transaction():
            await invoice_account(invoicing, conn, account_id, date(2026, 11, 1), at("2026-12-01", 1),
                                  Metadata(correlation_id="test"))
    await apply_batch(invoicing.pool, PaymentFactsProjection(), _payments(
        ("PaymentRegistered", {"account_id": "3004", "payment_id": "p1", "amount": "650.00",
                              "method": "cash", "paid_at": "2026-12-05T09:00:00+03:00"}),
        ("PaymentRegistered", {"account_id": "3003", "payment_id": "p2", "amount": "100.00",
                              "method": "cash", "paid_at": "2026-12-05T09:00:00+03:00"}),
        ("PaymentGuaranteeRegistered", {"account_id": "3003", "guarantee_id": "g1", "amount": "550.00",
                                        "pay_by": "2026-12-15", "invoice_ref": "inv-3003-2026-11"})))
    await _day(invoicing, clock, "2026-12-10")  # the due date: in time
    assert await _overdue_events(invoicing) == []
    await _day(invoicing, clock, "2026-12-11")  # the guarantee covers 3003; 3004 paid; 1015 is prepaid
    assert await _overdue_events(invoicing) == []
    await _day(invoicing, clock, "2026-12-16")  # the guarantee's date passed
    await _day(invoicing, clock, "2026-12-17")
    assert await _overdue_events(invoicing) == [("inv-3003-2026-11", "550.00")]
