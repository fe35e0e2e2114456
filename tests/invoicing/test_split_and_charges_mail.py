"""the split Excel (EXTRAS #43) (EXTRAS #43): the invoice XLSX with usage split into working hours 9:00-18:00,
non-working hours and weekends/holidays, as telephony posts it per time class; and the current
month's charges per subscriber by e-mail (seed 004 2.3, INVOICING.md I-2)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from services.invoicing.adapters.documents import RENDERERS
from services.invoicing.application.bill_run import invoice_account
from services.invoicing.application.context import Invoicing
from services.invoicing.application.delivery import (
    change_delivery,
    mailing_document,
    make_next_mailing,
    order_charges_mail,
)
from services.invoicing.application.documents import download_document, make_next_document
from services.invoicing.application.orders import order_invoice_document
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.application.usage import RatedUsage, post_rated_usage
from services.invoicing.domain.document import time_class_of
from shared.clock import FakeClock
from shared.errors import DomainError
from shared.eventstore import Metadata
from tests.invoicing.factories import at, feed_facts, seed_004_sip_subscriber

LINE = "sip-375170003003"
TELEPHONY = Metadata(correlation_id="t", actor="service:telephony")


def _sheets(content: bytes) -> tuple[str, str | None]:
    book = zipfile.ZipFile(io.BytesIO(content))
    names = book.namelist()
    second = book.read("xl/worksheets/sheet2.xml").decode() if "xl/worksheets/sheet2.xml" in names else None
    return book.read("xl/worksheets/sheet1.xml").decode(), second


def _strings(content: bytes) -> str:
    book = zipfile.ZipFile(io.BytesIO(content))
    return book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in book.namelist() else ""


def test_a_usage_items_time_class_is_its_class_suffix() -> None:
    assert time_class_of("usage:sip-1:off-net-out-working") == "working"
    assert time_class_of("usage:sip-1:off-net-out-non_working") == "non_working"
    assert time_class_of("usage:sip-1:sms-on-net-out-weekend") == "weekend"
    assert time_class_of("usage:sip-1:on-net-out") is None  # posted before time classes
    assert time_class_of("line:sip-1") is None


async def test_the_split_xlsx_sums_usage_per_time_class_beside_the_plain_one(
        invoicing: Invoicing, clock: FakeClock) -> None:
    clock.set(at("2021-05-27"))
    await feed_facts(invoicing.pool, seed_004_sip_subscriber(at("2021-05-05", 10)))
    for n, (time_class, day, net) in enumerate([("working", "2021-05-12", "1.2000"), ("working", "2021-05-13", "0.8000"),
                                                ("non_working", "2021-05-12", "0.5000"),
                                                ("weekend", "2021-05-15", "0.3000")]):
        usage = RatedUsage(f"u-{n}", LINE, f"off-net-out-{time_class}", "Исходящие в другие сети", f"00:0{n + 1}:00",
                           date.fromisoformat(day), Decimal(net), Decimal("25"))
        await post_rated_usage(invoicing, "3003", usage, TELEPHONY, None)
    clock.set(at("2021-06-01", 1))
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await invoice_account(invoicing, conn, "3003", date(2021, 5, 1), clock.now(), TELEPHONY)
    clock.set(at("2021-06-04"))
    ordered = await order_invoice_document(invoicing, "3003", "2021-05", "xlsx_split", "subscriber:a1-3003")
    assert (ordered["format"], ordered["status"]) == ("xlsx_split", "ordered")
    assert await make_next_document(invoicing, RENDERERS)
    split = await download_document(invoicing, "3003", "2021-05", "xlsx_split")
    assert split.file_name == "INV-2021-000001-split.xlsx" and split.content.startswith(b"PK")
    rows, summary = _sheets(split.content)
    assert summary is not None
    strings = _strings(split.content) + rows + summary
    for title in ("Рабочее время (9:00-18:00)", "Нерабочее время", "Выходные и праздничные дни", "Разбивка"):
        assert title in strings or title in zipfile.ZipFile(io.BytesIO(split.content)).read("xl/workbook.xml").decode()
    # working: 1.20 + 0.80 net, VAT 25 %: 2.5000 in all; non-working 0.6250; weekend 0.3750
    assert "<v>2.5</v>" in summary and "<v>0.625</v>" in summary and "<v>0.375</v>" in summary
    await order_invoice_document(invoicing, "3003", "2021-05", "xlsx", "subscriber:a1-3003")
    assert await make_next_document(invoicing, RENDERERS)
    plain = await download_document(invoicing, "3003", "2021-05", "xlsx")
    assert _sheets(plain.content)[1] is None  # the plain XLSX has no split sheet
    with pytest.raises(DomainError) as not_ordered:
        await download_document(invoicing, "3003", "2021-05", "pdf")
    assert not_ordered.value.code == "invoice.document_not_ordered"


async def test_the_current_months_charges_per_subscriber_go_to_the_clients_address(
        invoicing: Invoicing, clock: FakeClock) -> None:
    clock.set(at("2021-05-27"))
    await feed_facts(invoicing.pool, seed_004_sip_subscriber(at("2021-05-05", 10)))
    await drain_posting_queue(invoicing)
    with pytest.raises(DomainError) as no_email:
        await order_charges_mail(invoicing, "3003", None, "pdf", "subscriber:a1-3003")
    assert no_email.value.code == "delivery.no_email"
    await change_delivery(invoicing, "3003", "self", "pdf", "office@alfa.by", "subscriber:a1-3003")
    with pytest.raises(DomainError) as foreign:
        await order_charges_mail(invoicing, "3003", "375170009999", "pdf", "subscriber:a1-3003")
    assert foreign.value.code == "invoice.foreign_numbers"
    assert await invoicing.pool.fetchval("SELECT count(*) FROM invoice_mailings") == 0
    ordered = await order_charges_mail(invoicing, "3003", "375170003003", "xlsx", "subscriber:a1-3003")
    assert (ordered["kind"], ordered["period"], ordered["addresses"]) == ("charges", "2021-05", ["office@alfa.by"])
    assert await make_next_mailing(invoicing, RENDERERS)
    [ready] = await invoicing.pool.fetch("SELECT payload FROM events WHERE event_type = 'InvoiceMailReady'")
    assert (ready["payload"]["kind"], ready["payload"]["number"], ready["payload"]["file_name"]) == (
        "charges", None, "charges-3003-2021-05.xlsx")
    content = (await mailing_document(invoicing, "3003", ordered["mailing_id"])).content
    sheet = _sheets(content)[0] + _strings(content)
    assert "Начисления по абонентам за май 2021 (текущий месяц)" in sheet and "<v>240.0671</v>" in sheet
    clock.set(at("2021-06-02"))  # days 1-3 close invoice orders, not this
    again = await order_charges_mail(invoicing, "3003", None, "pdf", "subscriber:a1-3003")
    assert again["period"] == "2021-06"
