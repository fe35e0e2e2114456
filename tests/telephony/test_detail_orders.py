"""Call detail ordered by e-mail: the client's own numbers only, the current and previous month, the
file built after commit and handed to the mailer once (a failure is tried again later)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest

from services.telephony.application.context import Telephony
from services.telephony.application.detail_orders import drain_detail_orders, order_detail
from services.telephony.application.ingest import ingest
from shared.clock import FakeClock
from shared.errors import DomainError
from tests.telephony.factories import (
    MOBILE,
    SIP_ADMIN,
    SIP_NUMBER,
    at,
    cdr,
    feed_facts,
    mobile_account,
    sip_organization,
)


class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, bytes]] = []
        self.fail_next = 0

    async def send_detail(self, order_id: str, email: str, account_id: str, filename: str, content: bytes) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("notifications away")
        self.sent.append((order_id, email, filename, content))


async def test_an_order_is_mailed_once_with_the_calls_of_the_numbers_and_range(
        telephony: Telephony, clock: FakeClock) -> None:
    mailer = RecordingMailer()
    ctx = dataclasses.replace(telephony, mailer=mailer)
    await feed_facts(ctx.pool, sip_organization(at("2026-10-01", 0)) + mobile_account(at("2026-10-01", 0)))
    await ingest(ctx, [cdr("c-1", SIP_ADMIN, "375331234567", at("2026-11-02", 10), 61),
                       cdr("c-2", "375331234567", SIP_NUMBER, at("2026-11-03", 10), 30),
                       cdr("c-3", SIP_ADMIN, "375331234567", at("2026-09-30", 10), 61)], "http")
    order: dict[str, Any] = await order_detail(ctx, "3003", f"{SIP_ADMIN};{SIP_NUMBER}; ", date(2026, 10, 1),
                                               date(2026, 11, 18), "both", "admin@alfa-telecom.example", "u-org-a1",
                                               "k-1")
    assert order["status"] == "ordered" and order["email_masked"] == "a***@alfa-telecom.example"
    again = await order_detail(ctx, "3003", SIP_ADMIN, date(2026, 10, 1), date(2026, 11, 18), "both",
                               "admin@alfa-telecom.example", "u-org-a1", "k-1")
    assert again["order_id"] == order["order_id"] and again["repeated"]
    mailer.fail_next = 1
    assert await drain_detail_orders(ctx) == 1 and mailer.sent == []
    clock.advance(timedelta(seconds=5))
    assert await drain_detail_orders(ctx) == 1
    assert await drain_detail_orders(ctx) == 0
    [(order_id, email, filename, content)] = mailer.sent
    lines = content.decode().splitlines()
    assert (order_id, email, filename) == (order["order_id"], "admin@alfa-telecom.example",
                                           "detail-20261001-20261118.csv")
    assert lines[0].startswith("number;direction;kind") and len(lines) == 3  # c-3 is September's
    assert {line.split(";")[1] for line in lines[1:]} == {"out", "in"}


async def test_foreign_numbers_and_ranges_outside_two_months_are_refused(telephony: Telephony) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-10-01", 0)) + mobile_account(at("2026-10-01", 0)))
    await feed_facts(telephony.pool, [("AccountOpened", "account-9", 1, {
        "account_id": "9", "client_id": "other", "organization_id": "org-other", "contract_number": "9",
        "payment_form": "prepaid", "opened_at": at("2026-10-01").isoformat()}, at("2026-10-01")),
        ("ServiceLineAdded", "account-9", 2, {
            "account_id": "9", "line_id": "m-9", "kind": "mobile", "identifier": "375299999999",
            "subscriber_name": "Чужой", "tariff_id": "mobile-business", "tariff_name": "Бизнес Безлимит",
            "monthly_fee": "29.90", "vat_rate": "25"}, at("2026-10-01"))])
    async def refused(numbers: str, since: date) -> DomainError:
        with pytest.raises(DomainError) as error:
            await order_detail(telephony, "3003", numbers, since, date(2026, 11, 18), "out", "a@b.example", "u", None)
        return error.value

    foreign = await refused(f"{MOBILE};375299999999", date(2026, 11, 1))  # 3004 is the same company's
    assert (foreign.code, foreign.extra["numbers"]) == ("detail.foreign_number", ["375299999999"])
    assert (await refused(SIP_ADMIN, date(2026, 9, 30))).code == "detail.range_out_of_range"
    assert (await refused("12345", date(2026, 11, 1))).code == "detail.numbers_invalid"
    assert await telephony.pool.fetchval("SELECT count(*) FROM detail_orders") == 0
