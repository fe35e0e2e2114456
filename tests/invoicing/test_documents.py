"""Invoice documents (issue 11 item 6): ordered, made by the document worker after the order
committed (never in the request), then downloaded; a renderer's failure leaves the document failed
with its reason, and ordering it again makes it. The PDF embeds DejaVu Sans for the Cyrillic text;
the XLSX has the invoice's rows and totals."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from datetime import date

import pytest

from services.invoicing.adapters.documents import RENDERERS, render_pdf, render_xlsx
from services.invoicing.application.bill_run import invoice_account
from services.invoicing.application.context import Invoicing
from services.invoicing.application.documents import download_document, load_document, make_next_document
from services.invoicing.application.orders import order_invoice_document
from services.invoicing.application.queries import account_invoices
from services.invoicing.domain.document import InvoiceDocument, money_text
from shared.clock import FakeClock
from shared.errors import DomainError
from shared.eventstore import Metadata
from tests.invoicing.factories import at, feed_facts, opened_isp_account, seed_004_sip_subscriber

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _invoiced(invoicing: Invoicing, account_id: str, period: date, at_close: str) -> None:
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await invoice_account(invoicing, conn, account_id, period, at(at_close, 1), Metadata(correlation_id="test"))


def _unicode_of_glyphs(pdf: bytes) -> set[str]:
    """The code points the PDF's ToUnicode maps (in its compressed streams) give its glyphs."""
    found: set[str] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            text = zlib.decompress(stream)
            if b"beginbfchar" in text:
                found.update(m.decode() for m in re.findall(rb"<[0-9A-F]{2}> <([0-9A-F]{4})>", text))
    return found


def _sheet(content: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()


async def _seed_004_invoice(invoicing: Invoicing, clock: FakeClock) -> InvoiceDocument:
    await feed_facts(invoicing.pool, seed_004_sip_subscriber(at("2021-05-05", 10)))
    clock.set(at("2021-06-01", 1))
    await _invoiced(invoicing, "3003", date(2021, 5, 1), "2021-06-01")
    async with invoicing.pool.acquire() as conn:
        document = await load_document(invoicing, conn, "inv-3003-2021-05")
    assert document is not None
    return document


async def test_the_seed_004_invoice_as_pdf_and_xlsx_shows_its_lines_to_the_last_digit(
        invoicing: Invoicing, clock: FakeClock) -> None:
    document = await _seed_004_invoice(invoicing, clock)
    [subscriber] = document.subscribers
    assert (subscriber.identifier, subscriber.name) == ("375170003003", "Альфа-Телеком, приёмная")
    assert [money_text(t) for t in (subscriber.totals.net, subscriber.totals.vat, subscriber.totals.total)] == [
        "240,0671", "60,0168", "300,0839"]
    assert document.title == "Счёт № INV-2021-000001 за май 2021"
    pdf = render_pdf(document)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf  # the TrueType font embedded (a subset)
    # the text's glyphs map back to Cyrillic code points: U+0421, U+0447, U+0451 of the title's first word
    assert {"0421", "0447", "0451"} <= _unicode_of_glyphs(pdf)
    sheet = _sheet(render_xlsx(document))
    assert "Счёт № INV-2021-000001 за май 2021" in sheet and "План SIP-соединение 27" in sheet
    assert "<v>300.0839</v>" in sheet and "<v>60.0168</v>" in sheet and "<v>240.0671</v>" in sheet


async def test_an_ordered_document_is_made_by_the_worker_then_downloaded_with_its_type_and_name(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await _seed_004_invoice(invoicing, clock)
    clock.set(at("2021-06-04"))
    await order_invoice_document(invoicing, "3003", "2021-05", "pdf", "subscriber:a1-3003")
    await order_invoice_document(invoicing, "3003", "2021-05", "xlsx", "subscriber:a1-3003")
    with pytest.raises(DomainError) as early:
        await download_document(invoicing, "3003", "2021-05", "pdf")
    assert (early.value.code, early.value.status, early.value.extra["document_status"]) == (
        "invoice.document_not_ready", 409, "ordered")
    assert await make_next_document(invoicing, RENDERERS) and await make_next_document(invoicing, RENDERERS)
    assert not await make_next_document(invoicing, RENDERERS)  # nothing left
    pdf = await download_document(invoicing, "3003", "2021-05", "pdf")
    assert (pdf.content_type, pdf.file_name) == ("application/pdf", "INV-2021-000001.pdf")
    assert pdf.content.startswith(b"%PDF-")
    xlsx = await download_document(invoicing, "3003", "2021-05", "xlsx")
    assert (xlsx.content_type, xlsx.file_name) == (XLSX, "INV-2021-000001.xlsx")
    assert "<v>300.0839</v>" in _sheet(xlsx.content)
    [invoice] = (await account_invoices(invoicing, "3003"))["invoices"]
    assert [(d["format"], d["status"], d["size"]) for d in invoice["documents"]] == [
        ("pdf", "ready", len(pdf.content)), ("xlsx", "ready", len(xlsx.content))]
    ready = await invoicing.pool.fetch("SELECT stream_id, payload FROM events WHERE event_type = 'InvoiceDocumentReady'"
                                       " ORDER BY stream_id")
    assert [(r["stream_id"], r["payload"]["file_name"], r["payload"]["size"]) for r in ready] == [
        ("invoice-document-inv-3003-2021-05-pdf", "INV-2021-000001.pdf", len(pdf.content)),
        ("invoice-document-inv-3003-2021-05-xlsx", "INV-2021-000001.xlsx", len(xlsx.content))]
    with pytest.raises(DomainError) as unknown:
        await download_document(invoicing, "3003", "2021-04", "pdf")
    assert unknown.value.code == "invoice.not_found"


async def test_a_failed_document_keeps_its_reason_and_is_made_when_ordered_again(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-15")))
    await _invoiced(invoicing, "1015", date(2026, 11, 1), "2026-12-01")
    clock.set(at("2026-12-04"))
    with pytest.raises(DomainError) as not_ordered:
        await download_document(invoicing, "1015", "2026-11", "xlsx")
    assert (not_ordered.value.code, not_ordered.value.status) == ("invoice.document_not_ordered", 404)
    await order_invoice_document(invoicing, "1015", "2026-11", "pdf", "operator")

    def broken(_: InvoiceDocument) -> bytes:
        raise OSError("disk full")

    assert await make_next_document(invoicing, {"pdf": broken})
    with pytest.raises(DomainError) as failed:
        await download_document(invoicing, "1015", "2026-11", "pdf")
    assert failed.value.extra == {"document_status": "failed", "reason": "OSError: disk full"}
    assert not await make_next_document(invoicing, RENDERERS)  # a failed one waits for an order
    again = await order_invoice_document(invoicing, "1015", "2026-11", "pdf", "operator")
    assert again["status"] == "ordered"
    assert await make_next_document(invoicing, RENDERERS)
    assert (await download_document(invoicing, "1015", "2026-11", "pdf")).content.startswith(b"%PDF-")
