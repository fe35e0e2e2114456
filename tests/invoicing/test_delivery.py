"""Invoice delivery (issue 11 item 7): the method and addresses (`;`, at most 200 characters), the
regular invoice mailed at issue to the address valid then, the re-send of a past period to the
current address, the preliminary invoice of the current month for the account or its own numbers
(foreign ones refused). Refusals record nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from services.invoicing.adapters.documents import RENDERERS
from services.invoicing.application.bill_run import invoice_account
from services.invoicing.application.context import Invoicing
from services.invoicing.application.delivery import (
    change_delivery,
    delivery_of,
    mailing_document,
    make_next_mailing,
    order_preliminary,
    resend_invoice,
)
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.domain.delivery import parse_addresses
from shared.clock import FakeClock
from shared.errors import DomainError
from shared.eventstore import Metadata
from tests.invoicing.factories import at, feed_facts, opened_isp_account, seed_004_sip_subscriber


def test_addresses_are_split_by_semicolons_without_spaces_at_most_200_characters() -> None:
    assert parse_addresses("a@x.by;B@y.by;a@x.by") == ["a@x.by", "b@y.by"]
    longest = ";".join(["abcdefghij@example.by"] * 8) + ";abcdefghijklm@example.by"  # 8 * 22 + 24 = 200
    assert len(longest) == 200 and len(parse_addresses(longest)) == 2
    for text, code in [(longest + "y", "delivery.addresses_too_long"), ("a@x.by; b@y.by", "delivery.address_invalid"),
                       ("a@x.by;", "delivery.address_invalid"), ("", "delivery.address_invalid"),
                       ("not-an-address", "delivery.address_invalid")]:
        with pytest.raises(DomainError) as refused:
            parse_addresses(text)
        assert (refused.value.code, refused.value.status) == (code, 422), text


async def _mails(invoicing: Invoicing) -> list[tuple[str, list[str], str]]:
    rows = await invoicing.pool.fetch("SELECT payload FROM events WHERE event_type = 'InvoiceMailReady'"
                                      " ORDER BY global_position")
    return [(r["payload"]["kind"], r["payload"]["addresses"], r["payload"]["file_name"]) for r in rows]


async def test_the_regular_invoice_goes_to_the_address_valid_at_issue_and_a_resend_to_the_current_one(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-15")))
    assert (await delivery_of(invoicing, "1015"))["method"] == "self"  # «Получает сам» until changed
    changed = await change_delivery(invoicing, "1015", "email", "pdf", "old@x.by;boss@x.by", "subscriber:u1015")
    assert (changed["method"], changed["address_text"]) == ("email", "old@x.by;boss@x.by")
    clock.set(at("2026-12-01", 1))
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await invoice_account(invoicing, conn, "1015", date(2026, 11, 1), clock.now(), Metadata(correlation_id="t"))
    await change_delivery(invoicing, "1015", "email", "xlsx", "new@x.by", "subscriber:u1015")  # after generation
    assert await make_next_mailing(invoicing, RENDERERS)
    assert await _mails(invoicing) == [("regular", ["old@x.by", "boss@x.by"], "INV-2026-000001.pdf")]

    clock.set(at("2026-12-04"))
    sent = await resend_invoice(invoicing, "1015", "2026-11", None, "subscriber:u1015")
    assert (sent["addresses"], sent["format"]) == (["new@x.by"], "xlsx")
    assert await make_next_mailing(invoicing, RENDERERS)
    assert (await _mails(invoicing))[1] == ("resend", ["new@x.by"], "INV-2026-000001.xlsx")
    attached = await mailing_document(invoicing, "1015", sent["mailing_id"])
    assert attached.file_name == "INV-2026-000001.xlsx" and attached.content.startswith(b"PK")
    for period, code in [("2026-12", "invoice.period_out_of_range"), ("2025-11", "invoice.period_out_of_range"),
                         ("2026-10", "invoice.not_found")]:
        with pytest.raises(DomainError) as refused:
            await resend_invoice(invoicing, "1015", period, "pdf", "subscriber:u1015")
        assert refused.value.code == code, period
    await change_delivery(invoicing, "1015", "self", "pdf", None, "subscriber:u1015")
    assert (await delivery_of(invoicing, "1015"))["addresses"] == ["new@x.by"]  # kept for a re-send
    assert await invoicing.pool.fetchval("SELECT count(*) FROM invoice_mailings") == 2


async def test_a_preliminary_invoice_covers_the_accounts_own_numbers_and_refuses_foreign_ones(
        invoicing: Invoicing, clock: FakeClock) -> None:
    clock.set(at("2021-05-27"))
    await feed_facts(invoicing.pool, seed_004_sip_subscriber(at("2021-05-05", 10)))
    await drain_posting_queue(invoicing)
    with pytest.raises(DomainError) as no_email:
        await order_preliminary(invoicing, "3003", None, "pdf", "subscriber:a1-3003")
    assert no_email.value.code == "delivery.no_email"
    await change_delivery(invoicing, "3003", "self", "pdf", "office@alfa.by", "subscriber:a1-3003")
    with pytest.raises(DomainError) as foreign:
        await order_preliminary(invoicing, "3003", "375170003003;375170009999", "pdf", "subscriber:a1-3003")
    assert (foreign.value.code, foreign.value.extra) == ("invoice.foreign_numbers", {"numbers": ["375170009999"]})
    with pytest.raises(DomainError) as malformed:
        await order_preliminary(invoicing, "3003", "375170003003; 1", "pdf", "subscriber:a1-3003")
    assert malformed.value.code == "invoice.numbers_invalid"
    assert await invoicing.pool.fetchval("SELECT count(*) FROM invoice_mailings") == 0
    ordered = await order_preliminary(invoicing, "3003", "375170003003", "xlsx", "subscriber:a1-3003")
    assert (ordered["kind"], ordered["period"], ordered["addresses"]) == ("preliminary", "2021-05", ["office@alfa.by"])
    assert await make_next_mailing(invoicing, RENDERERS)
    assert await _mails(invoicing) == [("preliminary", ["office@alfa.by"], "preliminary-3003-2021-05.xlsx")]
    sheet = zipfile.ZipFile(io.BytesIO((await mailing_document(invoicing, "3003", ordered["mailing_id"])).content))
    text = sheet.read("xl/worksheets/sheet1.xml").decode()
    assert "Предварительный счёт за май 2021" in text and "<v>240.0671</v>" in text  # May so far, to the 27th
    clock.set(at("2021-06-02"))
    with pytest.raises(DomainError) as window:
        await order_preliminary(invoicing, "3003", None, "pdf", "subscriber:a1-3003")
    assert window.value.code == "invoice.window_closed"
