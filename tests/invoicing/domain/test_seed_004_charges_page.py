"""Seed 004, 3.5: the charges page of the demo SIP subscriber for May 2021, to the last digit
(SEED_ROWS below, verbatim but for decimal points: net, VAT rate, VAT, other tax, total per line,
and the subscriber's total 240.0671 / 60.0168 / 0.00 / 300.0839).

The "27" lines are 27 of May's 31 days of round gross prices (net derived); the minute bundle is
charged whole. Both readings of "27" give the table: connected on 5 May and charged in advance, or
charged day by day and looked at on 27 May."""

from __future__ import annotations

from decimal import Decimal

from services.invoicing.domain.account import label_of
from services.invoicing.domain.page import PostedLine, charges_page
from services.invoicing.domain.rules import TariffRule
from tests.invoicing.factories import Charges, at, day, rules_with, sip_plan

MAY = day("2021-05-01")
SEED_ROWS = [
    ("SIP 3000 минут в другие сети", "77.008", "25", "19.252", "0", "96.26"),
    ("SIP-многоканальность 27", "56.6756", "25", "14.1689", "0", "70.8445"),
    ("План SIP-соединение 27", "46.2867", "25", "11.5717", "0", "57.8584"),
    ("Услуга Короткий номер 27", "60.0968", "25", "15.0242", "0", "75.121"),
    ("Исходящие внутри сети 00:07:00", "0", "25", "0", "0", "0"),
]
SEED_TOTALS = (Decimal("240.0671"), Decimal("60.0168"), Decimal("0"), Decimal("300.0839"))


def _page(charges: Charges) -> list[tuple[str, ...]]:
    charges.posted += charges.aggregate.post_usage(
        MAY, "call-batch-1", "sip-375170003003", "on-net-out", "Исходящие внутри сети", "00:07:00",
        day("2021-05-12"), Decimal("0"), Decimal("25"), at("2021-05-27"))
    lines = [PostedLine(p.line_id, p.item, p.kind,
                        p.description if p.quantity else label_of(p.description, (p.to_day - p.from_day).days + 1),
                        p.item == "add-on:sip-375170003003:sip-3000-min", p.monthly_fee, p.vat_rate, p.from_day,
                        p.to_day, p.quantity, p.net, p.vat, p.other_tax) for p in charges.posted]
    [subscriber] = charges_page(lines, 31)
    totals = subscriber.totals
    assert (totals.net, totals.vat, totals.other_tax, totals.total) == SEED_TOTALS
    return [(r.description, str(r.figures.net.normalize()), str(r.vat_rate), str(r.figures.vat.normalize()),
             str(r.figures.other_tax.normalize()), str(r.figures.total.normalize())) for r in subscriber.rows]


def test_seed_004_may_2021_page_for_a_subscriber_connected_on_the_5th_charged_in_advance() -> None:
    charges = Charges(sip_plan(connected="2021-05-05"))
    posted = charges.post(at("2021-05-05", 10))
    assert sorted(p.description for p in posted) == [
        "SIP 3000 минут в другие сети", "SIP-многоканальность 27", "План SIP-соединение 27", "Услуга Короткий номер 27"]
    assert charges.post(at("2021-05-27")) == []  # nothing more is due in May
    assert _page(charges) == SEED_ROWS


def test_seed_004_may_2021_page_accrued_day_by_day_up_to_the_27th() -> None:
    charges = Charges(sip_plan(connected="2021-04-20"), rules_with(**{"sip-connection": TariffRule(accrual="daily")}))
    for n in range(1, 28):
        charges.post(at(f"2021-05-{n:02d}", 0))
    assert len([p for p in charges.posted if p.item == "line:sip-375170003003"]) == 27
    assert _page(charges) == SEED_ROWS
