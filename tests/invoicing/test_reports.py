"""Reports of payments and charges for a period (issue 11 item 8; seed 002 «Отчёты»): ordered, made
by the document worker after the order committed, then downloaded as PDF or XLSX; a range the
cabinet does not allow is refused and records nothing."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date

import pytest

from services.invoicing.adapters.documents.report import REPORT_RENDERERS
from services.invoicing.application.context import Invoicing
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.application.reports import account_reports, download_report, make_next_report, order_report
from services.invoicing.projections.payment_facts import PaymentFactsProjection
from shared.clock import FakeClock
from shared.errors import DomainError
from shared.projection import IncomingEvent, apply_batch
from tests.invoicing.factories import at, feed_facts, opened_isp_account

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _payment(version: int, kind: str, payment_id: str, amount: str, paid_at: str) -> IncomingEvent:
    payload = {"account_id": "1015", "payment_id": payment_id, "amount": amount, "method": "cash",
               "paid_at": paid_at, "external_id": payment_id, "registered_by": "operator:o1"}
    if kind == "PaymentReversed":
        payload = {"account_id": "1015", "payment_id": payment_id, "amount": amount, "reason": "mistake",
                   "reversed_by": "operator:o1"}
    return IncomingEvent(event_id=str(uuid.uuid4()), source="/billing/payments", event_type=kind, schema_version=1,
                         stream_id="payment-account-1015", stream_version=version, global_position=None, subject="1015",
                         occurred_at=at("2026-11-10"), payload=payload, correlation_id="test")


def _cells(content: bytes, sheet: int) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read(f"xl/worksheets/sheet{sheet}.xml").decode()


async def test_a_report_is_made_after_the_order_and_lists_the_periods_payments_and_charges(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-15")))
    clock.set(at("2026-11-02"))
    await drain_posting_queue(invoicing)  # November's fee in advance: 650.00
    await apply_batch(invoicing.pool, PaymentFactsProjection(), [
        _payment(1, "PaymentRegistered", "p1", "700.00", "2026-11-05T10:00:00+03:00"),
        _payment(2, "PaymentRegistered", "p2", "50.00", "2026-11-06T10:00:00+03:00"),
        _payment(3, "PaymentReversed", "p2", "50.00", "2026-11-06T10:00:00+03:00"),
        _payment(4, "PaymentRegistered", "p3", "10.00", "2026-10-01T10:00:00+03:00"),  # before the range
    ])
    clock.set(at("2026-11-20"))
    xlsx = await order_report(invoicing, "1015", date(2026, 11, 1), date(2026, 11, 20), "xlsx", "subscriber:u1015")
    pdf = await order_report(invoicing, "1015", date(2026, 11, 1), date(2026, 11, 20), "pdf", "subscriber:u1015")
    assert (xlsx["status"], xlsx["format"]) == ("ordered", "xlsx")
    with pytest.raises(DomainError) as early:
        await download_report(invoicing, "1015", xlsx["report_id"])
    assert (early.value.code, early.value.status, early.value.extra["report_status"]) == (
        "report.not_ready", 409, "ordered")
    assert await make_next_report(invoicing, REPORT_RENDERERS)
    assert await make_next_report(invoicing, REPORT_RENDERERS)
    assert not await make_next_report(invoicing, REPORT_RENDERERS)
    sheet = await download_report(invoicing, "1015", xlsx["report_id"])
    assert (sheet.content_type, sheet.file_name) == (XLSX, "report-1015-20261101-20261120.xlsx")
    payments, charges = _cells(sheet.content, 1), _cells(sheet.content, 2)
    assert "05.11.2026" in payments and "<v>700</v>" in payments and "<v>50</v>" in payments
    assert "01.10.2026" not in payments
    assert "<v>700</v>" in payments.split("Итого платежей")[1]  # the reversed payment is not counted
    assert "<v>650</v>" in charges and "Итого списаний" in charges
    document = await download_report(invoicing, "1015", pdf["report_id"])
    assert document.content.startswith(b"%PDF-") and document.file_name.endswith(".pdf")
    listed = await account_reports(invoicing, "1015")
    assert {(r["format"], r["status"]) for r in listed["reports"]} == {("pdf", "ready"), ("xlsx", "ready")}
    with pytest.raises(DomainError) as foreign:
        await download_report(invoicing, "3003", xlsx["report_id"])
    assert foreign.value.code == "report.not_found"


async def test_a_range_the_cabinet_does_not_allow_is_refused_and_records_nothing(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-15")))
    for date_from, date_to, code in [(date(2026, 11, 10), date(2026, 11, 1), "report.range_invalid"),
                                     (date(2026, 11, 1), date(2026, 11, 21), "report.range_invalid"),
                                     (date(2025, 11, 19), date(2026, 11, 1), "request.date_range_too_old")]:
        with pytest.raises(DomainError) as refused:
            await order_report(invoicing, "1015", date_from, date_to, "pdf", "subscriber:u1015")
        assert (refused.value.code, refused.value.status) == (code, 422)
    with pytest.raises(DomainError) as unknown:
        await order_report(invoicing, "9999", date(2026, 11, 1), date(2026, 11, 2), "pdf", "subscriber:u1015")
    assert unknown.value.code == "account.not_found"
    assert await invoicing.pool.fetchval("SELECT count(*) FROM report_documents") == 0

