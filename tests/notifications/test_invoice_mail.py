"""Invoicing's events become messages (issue 11 items 7, 9): an invoice to mail goes to every
address its delivery names with the document attached, fetched from the invoicing service's
internal API (here a stand-in HTTP server that checks the internal token); an issued invoice is
told to the account's subscribers by e-mail."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared.devstack import free_port
from tests.eventually import eventually
from tests.notifications.conftest import Notifications

PDF = b"%PDF-1.4 the invoice"
MAILING = "0b9c4f43-3a49-4a53-9d1b-2f1e8a7f0c11"
PATH = f"/internal/v1/accounts/3003/mailings/{MAILING}/document"


class _Invoicing(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != PATH or self.headers.get("x-internal-token") != "test-internal-token":
            self.send_response(404)
            self.send_header("content-type", "application/problem+json")
            self.end_headers()
            self.wfile.write(b'{"type":"about:blank","title":"x","status":404,"detail":"x","code":"mailing.not_found"}')
            return
        self.send_response(200)
        self.send_header("content-type", "application/pdf")
        self.send_header("content-length", str(len(PDF)))
        self.end_headers()
        self.wfile.write(PDF)

    def log_message(self, *_: Any) -> None:
        pass


#: The stand-in's port, chosen once: the service's settings name it before the server starts.
PORT = free_port()
INVOICING = {"invoicing_url": f"http://127.0.0.1:{PORT}"}


@pytest.fixture(autouse=True, scope="module")
def invoicing() -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", PORT), _Invoicing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield
    server.shutdown()
    server.server_close()


MAIL_READY = {"account_id": "3003", "mailing_id": MAILING, "kind": "resend", "period": "2026-11-01",
              "invoice_id": "inv-3003-2026-11", "number": "INV-2026-000007", "format": "pdf",
              "file_name": "INV-2026-000007.pdf", "content_type": "application/pdf", "size": len(PDF),
              "addresses": ["office@alfa.by", "boss@alfa.by"], "ready_at": "2026-11-20T10:00:00+00:00"}


@pytest.mark.parametrize("notifications", [INVOICING], indirect=True)
async def test_an_invoice_is_mailed_to_each_address_of_its_delivery_with_the_document_attached(
        notifications: Notifications) -> None:
    await notifications.publish("invoicing", "InvoiceMailReady", MAIL_READY, stream_id=f"invoice-mailing-{MAILING}",
                                times=2)
    await notifications.outbox(sms=0, email=2)
    mails = {m["To"]: m for m in notifications.smtp.received}
    assert set(mails) == {"office@alfa.by", "boss@alfa.by"}
    mail = mails["office@alfa.by"]
    assert mail["Subject"] == "Счёт № INV-2026-000007 за 2026-11 — лицевой счёт 3003"
    [attachment] = list(mail.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type(), attachment.get_content()) == (
        "INV-2026-000007.pdf", "application/pdf", PDF)
    assert "во вложении (INV-2026-000007.pdf)" in mail.get_body(("plain",)).get_content()
    assert len(await notifications.deliveries()) == 2  # the event came twice: mailed once per address


@pytest.mark.parametrize("notifications", [INVOICING], indirect=True)
async def test_a_mailing_whose_file_is_gone_fails_for_good_and_an_issued_invoice_is_told_by_email(
        notifications: Notifications) -> None:
    await notifications.publish("invoicing", "InvoiceMailReady", {**MAIL_READY, "mailing_id": "gone",
                                                                  "addresses": ["office@alfa.by"]},
                                stream_id="invoice-mailing-gone")

    async def failed() -> bool:
        rows = await notifications.deliveries()
        return len(rows) == 1 and rows[0]["status"] == "failed" and "mailing.not_found" in rows[0]["last_error"]

    await eventually(failed)
    await notifications.subscriber("u-1015", "1015", email="ivan@example.com", phone="375291111111")
    await notifications.publish("invoicing", "InvoiceIssued", {
        "account_id": "1015", "invoice_id": "inv-1015-2026-11", "series": "INV-2026", "number": "INV-2026-000001",
        "period": "2026-11-01", "net": "541.6667", "vat": "108.3333", "other_tax": "0", "total": "650.0000",
        "issued_at": "2026-12-01T00:00:00+00:00", "due_on": "2026-12-10"}, stream_id="charges-1015")
    await notifications.outbox(sms=0, email=1)
    [mail] = notifications.smtp.received
    assert mail["Subject"] == "Счёт № INV-2026-000001 за 2026-11"
    assert "на сумму 650,00 руб. Оплатите его до 10.12.2026" in mail.get_content()
