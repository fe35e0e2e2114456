"""Telephony's facts in invoicing: rated usage becomes one charge line per usage id (a re-rating's
refund a negative one), an invoiced period takes none; a channel package change is charged as the
line's add-on, both packages prorated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.invoicing.application.bill_run import invoice_account
from services.invoicing.application.context import Invoicing
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.application.usage import RatedUsage, post_rated_usage
from shared.clock import FakeClock
from shared.errors import DomainError
from shared.eventstore import Metadata
from tests.invoicing.conftest import stream
from tests.invoicing.factories import account_event, at, feed_facts, opened_isp_account

META = Metadata(correlation_id="test-usage", actor="telephony")


def _usage(usage_id: str = "u-1", day: str = "2026-11-12", line_id: str = "inet-1015") -> RatedUsage:
    return RatedUsage(usage_id, line_id, "on-net-out", "Исходящие внутри сети", "00:07:00", date.fromisoformat(day),
                      Decimal("1.2345"), Decimal("20"))


async def test_usage_is_posted_once_per_usage_id_with_vat_from_its_net(invoicing: Invoicing) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-11-01", 0)))
    first = await post_rated_usage(invoicing, "1015", _usage(), META, None)
    again = await post_rated_usage(invoicing, "1015", _usage(), META, None)
    assert len(first.event_ids) == 1 and again.event_ids == []
    [(kind, charge)] = await stream(invoicing.pool, "1015")
    assert (kind, charge["kind"], charge["item"], charge["quantity"], charge["net"], charge["vat"], charge["total"]) == (
        "ChargePosted", "usage", "usage:inet-1015:on-net-out", "00:07:00", "1.2345", "0.2469", "1.4814")
    assert await invoicing.pool.fetchval("SELECT label FROM charge_lines") == "Исходящие внутри сети"


async def test_usage_for_an_invoiced_period_or_an_unknown_line_is_refused(invoicing: Invoicing) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-01", 0)))
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await invoice_account(invoicing, conn, "1015", date(2026, 10, 1), at("2026-11-01", 1), META)
    with pytest.raises(DomainError) as late:
        await post_rated_usage(invoicing, "1015", _usage(day="2026-10-30"), META, None)
    assert (late.value.code, late.value.status) == ("usage.period_invoiced", 409)
    with pytest.raises(DomainError) as unknown:
        await post_rated_usage(invoicing, "1015", _usage(line_id="nope"), META, None)
    assert unknown.value.code == "line.not_found"


async def test_a_re_ratings_refund_is_a_negative_usage_line(invoicing: Invoicing) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-11-01", 0)))
    await post_rated_usage(invoicing, "1015", _usage("u-1"), META, None)
    refund = RatedUsage("r-1", "inet-1015", "on-net-out", "Перерасчёт: Исходящие внутри сети", "-00:07:00",
                        date(2026, 11, 12), Decimal("-1.2345"), Decimal("20"))
    await post_rated_usage(invoicing, "1015", refund, META, None)
    assert await invoicing.pool.fetchval("SELECT sum(total) FROM charge_lines WHERE kind = 'usage'") == 0


async def test_channel_package_changes_are_charged_as_the_lines_add_on_both_prorated(
        invoicing: Invoicing, clock: FakeClock) -> None:
    clock.set(at("2026-11-01", 1))
    sip = "sip-375170003003"
    facts = [
        account_event("AccountOpened", "3003", 1, at("2026-11-01", 0), client_id="org-a1", organization_id="org-a1",
                      contract_number="3003", payment_form="postpaid", opened_at=at("2026-11-01", 0).isoformat(),
                      opening_balance="0.00"),
        account_event("ServiceLineAdded", "3003", 2, at("2026-11-01", 0), line_id=sip, kind="sip",
                      identifier="375170003003", subscriber_name="Альфа-Телеком", tariff_id="sip-connection",
                      tariff_name="SIP-соединение", monthly_fee="66.43", vat_rate="25", voluntary_block=None),
    ]
    changes = [("ChannelPackageChanged", f"tline-{sip}", n, {
        "account_id": "3003", "line_id": sip, "from_channels": before, "to_channels": to,
        "name": f"SIP-многоканальность {to}", "monthly_fee": fee, "from_monthly_fee": None, "vat_rate": "25",
        "effective_at": when.isoformat(), "next_change_at": when.isoformat()}, when)
        for n, (before, to, fee, when) in enumerate([(None, 20, "149.14", at("2026-11-01", 0)),
                                                     (20, 30, "215.58", at("2026-11-16", 10))], start=1)]
    await feed_facts(invoicing.pool, facts + changes)
    clock.set(at("2026-11-20"))
    await drain_posting_queue(invoicing)
    total = await invoicing.pool.fetchval(
        "SELECT sum(net) FROM charge_lines WHERE item = $1", f"add-on:{sip}:sip-multichannel")
    # 20 channels for 1-15 November (15/30 of 149.14 gross: 119.312 net), 30 channels for 16-30 (215.58: 172.464)
    assert total == Decimal("59.6560") + Decimal("86.2320")
    labels = {r["label"] for r in await invoicing.pool.fetch("SELECT label FROM charge_lines WHERE item = $1",
                                                              f"add-on:{sip}:sip-multichannel")}
    assert labels == {"SIP-многоканальность 20", "SIP-многоканальность 30"}


async def test_a_mobile_internet_package_is_charged_as_the_lines_add_on_except_while_paused(
        invoicing: Invoicing, clock: FakeClock) -> None:
    clock.set(at("2026-11-01", 1))
    mobile = "mob-375291110001"
    facts = [
        account_event("AccountOpened", "3004", 1, at("2026-11-01", 0), client_id="org-a1", organization_id="org-a1",
                      contract_number="3004", payment_form="postpaid", opened_at=at("2026-11-01", 0).isoformat(),
                      opening_balance="0.00"),
        account_event("ServiceLineAdded", "3004", 2, at("2026-11-01", 0), line_id=mobile, kind="mobile",
                      identifier="375291110001", subscriber_name="Иванов И. И.", tariff_id="mobile-business",
                      tariff_name="Бизнес Безлимит", monthly_fee="30.00", vat_rate="25", voluntary_block=None),
    ]
    line = {"account_id": "3004", "line_id": mobile}
    telephony = [  # as TelephonyLine decides them: 750 from the 1st, paused the 11th, 1000 chosen the 15th, resumed the 21st
        ("MobileInternetChanged", {**line, "enabled": True, "package": "Пакет 750", "monthly_fee": "11.90",
                                   "vat_rate": "25", "paused": False, "at": at("2026-11-01", 0).isoformat()},
         at("2026-11-01", 0)),
        ("LinePaused", {**line, "at": at("2026-11-11", 10).isoformat()}, at("2026-11-11", 10)),
        ("MobileInternetChanged", {**line, "enabled": True, "package": "Пакет 1000", "monthly_fee": "14.90",
                                   "vat_rate": "25", "paused": True, "at": at("2026-11-15", 10).isoformat()},
         at("2026-11-15", 10)),
        ("LineResumed", {**line, "at": at("2026-11-21", 10).isoformat(), "internet_package": "Пакет 1000",
                         "internet_monthly_fee": "14.90"}, at("2026-11-21", 10)),
    ]
    changes = [(kind, f"tline-{mobile}", n, payload, when) for n, (kind, payload, when) in enumerate(telephony, 1)]
    await feed_facts(invoicing.pool, facts + changes)
    clock.set(at("2026-11-30", 12))
    await drain_posting_queue(invoicing)
    rows = await invoicing.pool.fetch(
        "SELECT label, sum(net) AS net FROM charge_lines WHERE item = $1 GROUP BY label",
        f"add-on:{mobile}:mobile-internet-package")
    # 750 for 1-10 November (10/30 of 11.90 gross: 9.52 net a month), nothing while paused (11-20),
    # 1000 for 21-30 (10/30 of 14.90: 11.92 net)
    assert {r["label"]: r["net"] for r in rows} == {"Мобильный интернет, Пакет 750": Decimal("3.1733"),
                                                     "Мобильный интернет, Пакет 1000": Decimal("3.9733")}
