"""Will an account's funds cover the next period? Pure. (The funds are shared/funds.py's, tested in
tests/shared/test_funds.py; the fees are invoicing's forecast.)"""

from __future__ import annotations

from decimal import Decimal

from services.notifications.domain.funds import shortfall


def test_the_shortfall_is_what_the_funds_miss_of_the_fees() -> None:
    assert shortfall(Decimal("40.00"), Decimal("47.50")) == Decimal("7.50")
    assert shortfall(Decimal("-5.00"), Decimal("30.00")) == Decimal("35.00")
    assert shortfall(Decimal("47.50"), Decimal("47.50")) is None
    assert shortfall(Decimal("-5.00"), Decimal("0.00")) is None  # nothing to pay: nothing to remind
