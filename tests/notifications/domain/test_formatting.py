"""Money, dates and addresses as a subscriber reads them, pure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.notifications.domain.formatting import format_date, format_datetime, format_money, mask_address

MINSK = ZoneInfo("Europe/Minsk")


def test_money_and_dates_are_written_for_the_language() -> None:
    assert format_money(Decimal("1234.5"), "ru", "BYN") == "1 234,50 руб"
    assert format_money("1234.5", "en", "BYN") == "1,234.50 BYN"
    assert format_money("-0.005", "ru", "RUB") == "-0,01 руб"  # half-up, through shared.money
    assert format_money("1000000", "en", "RUB") == "1,000,000.00 RUB"
    assert format_date("2026-03-01", "ru") == "01.03.2026"
    assert format_date(date(2026, 3, 1), "en") == "1 Mar 2026"
    assert format_datetime("2026-11-20T21:30:00+00:00", "ru", MINSK) == "21.11.2026 00:30"
    assert format_datetime("2026-11-20T21:30:00+00:00", "en", MINSK) == "21 Nov 2026, 00:30"


def test_addresses_are_masked() -> None:
    assert mask_address("sms", "375291234567") == "37529*****67"
    assert mask_address("sms", "+375291234567") == "+37529*****67"
    assert mask_address("email", "ivan.petrov@example.com") == "i***@example.com"
