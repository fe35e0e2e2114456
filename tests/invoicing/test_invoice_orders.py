"""Ordering a regular invoice's document: refused on days 1-3 of the month, only for the two
previous months with an invoice, recorded once per invoice and format."""

from __future__ import annotations

from datetime import date

import pytest

from services.invoicing.application.bill_run import invoice_account
from services.invoicing.application.context import Invoicing
from services.invoicing.application.orders import order_invoice_document
from shared.clock import FakeClock
from shared.errors import DomainError
from shared.eventstore import Metadata
from tests.invoicing.factories import at, feed_facts, opened_isp_account


async def _invoiced_november(invoicing: Invoicing) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-15")))
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await invoice_account(invoicing, conn, "1015", date(2026, 11, 1), at("2026-12-01", 1),
                              Metadata(correlation_id="test"))


@pytest.mark.parametrize("day", ["2026-12-01", "2026-12-02", "2026-12-03"])
async def test_an_invoice_order_on_days_one_to_three_is_refused_and_records_nothing(
        invoicing: Invoicing, clock: FakeClock, day: str) -> None:
    await _invoiced_november(invoicing)
    clock.set(at(day, 23))
    with pytest.raises(DomainError) as refused:
        await order_invoice_document(invoicing, "1015", "2026-11", "pdf", "subscriber:u-1015")
    assert refused.value.code == "invoice.window_closed" and refused.value.extra == {"opens_on": "2026-12-04"}
    assert await invoicing.pool.fetchval("SELECT count(*) FROM invoice_documents") == 0


async def test_an_order_from_the_fourth_is_recorded_once_per_invoice_and_format(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await _invoiced_november(invoicing)
    clock.set(at("2026-12-04", 0))
    first = await order_invoice_document(invoicing, "1015", "2026-11", "pdf", "subscriber:u-1015")
    assert (first["invoice_id"], first["format"], first["status"]) == ("inv-1015-2026-11", "pdf", "ordered")
    assert await order_invoice_document(invoicing, "1015", "2026-11", "pdf", "subscriber:u-1015") == first
    await order_invoice_document(invoicing, "1015", "2026-11", "xlsx", "subscriber:u-1015")
    assert await invoicing.pool.fetchval("SELECT count(*) FROM invoice_documents") == 2


@pytest.mark.parametrize(("period", "code"), [("2026-12", "invoice.period_out_of_range"),
                                              ("2026-09", "invoice.period_out_of_range"),
                                              ("2026-10", "invoice.not_found"),
                                              ("2026/11", "period.invalid")])
async def test_orders_for_other_months_or_months_without_an_invoice_are_refused(
        invoicing: Invoicing, clock: FakeClock, period: str, code: str) -> None:
    await _invoiced_november(invoicing)
    clock.set(at("2026-12-10"))
    with pytest.raises(DomainError) as refused:
        await order_invoice_document(invoicing, "1015", period, "pdf", "operator")
    assert refused.value.code == code
