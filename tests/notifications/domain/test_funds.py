"""Will an account's funds cover the next period? Pure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.notifications.domain.funds import shortfall
from shared.fees import FeeItem, period_fees


def test_the_next_period_fees_take_the_tariff_in_force_when_it_starts() -> None:
    december = date(2026, 12, 1)
    items = [
        FeeItem(Decimal("30.00"), next_fee=Decimal("45.00"), next_fee_from=december),  # tariff up from December
        FeeItem(Decimal("5.00"), ends_on=december),  # add-on disconnected by then
        FeeItem(Decimal("2.50")),
    ]
    assert period_fees(items, date(2026, 11, 1)) == Decimal("37.50")
    assert period_fees(items, december) == Decimal("47.50")
    assert shortfall(Decimal("40.00"), Decimal("47.50")) == Decimal("7.50")
    assert shortfall(Decimal("47.50"), Decimal("47.50")) is None
    assert shortfall(Decimal("-5.00"), Decimal("0.00")) is None  # nothing to pay: nothing to remind
