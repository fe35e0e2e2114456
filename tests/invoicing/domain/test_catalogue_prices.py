"""Invoicing reads a price as accounts' events carry it: the gross monthly fee at 2 decimals, the net
derived from it. A catalogue price given net must survive that trip to the last digit, or its charge
lines would disagree with the catalogue; seed 004's prices are the catalogue's (v2)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from services.invoicing.domain.proration import Price, monthly_net
from shared.money import round_money, vat_from_gross, vat_from_net
from tests.invoicing.factories import MULTICHANNEL, ROOT, SHORT_NUMBER, SIP_3000, SIP_CONNECTION

CATALOGUE = json.loads((ROOT / "services" / "accounts" / "catalogue" / "tariffs.v2.json").read_text())
ENTRIES = CATALOGUE["tariffs"] + CATALOGUE["add_ons"]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_every_catalogue_price_survives_the_gross_the_events_carry(entry: dict[str, str]) -> None:
    price, rate = Decimal(entry["price"]), Decimal(entry["vat_rate"])
    split = vat_from_gross(price, rate) if entry["price_includes_vat"] else vat_from_net(price, rate)
    carried = round_money(split.gross)  # ServiceLineAdded / AddOnConnected monthly_fee
    assert monthly_net(Price(carried, rate)) == split.net


def test_the_seed_004_prices_are_the_catalogues() -> None:
    gross = {e["id"]: Decimal(e["price"]) for e in ENTRIES if e["price_includes_vat"]}
    assert (gross["sip-connection"], gross["short-number"]) == (SIP_CONNECTION, SHORT_NUMBER)
    sip_3000 = next(e for e in ENTRIES if e["id"] == "sip-3000-min")
    assert round_money(vat_from_net(Decimal(sip_3000["price"]), Decimal("25")).gross) == SIP_3000
    # the channel package is telephony's (TELEPHONY.md T-4: 5 channels 47.45, ... 150 channels 1016.92 gross);
    # the seed's "SIP-многоканальность 27" is 27/31 of 81.34 gross
    assert monthly_net(Price(MULTICHANNEL, Decimal("25"))) == Decimal("65.0720")
    assert monthly_net(Price(Decimal("1016.92"), Decimal("25"))) == Decimal("813.5360")
