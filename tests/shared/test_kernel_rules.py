"""Pure kernel rules: the billing calendar, the fee schedule, pages and the billing time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.calendar import (
    Period,
    add_months,
    day_bounds,
    days_in_month,
    first_of_next_month,
    local_date,
    next_period,
    previous_month_start,
    tenth_of_next_month,
    twelve_months_before,
)

MINSK = ZoneInfo("Europe/Minsk")


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 1, 10), -1, date(2025, 12, 10)),
])
def test_months_move_and_keep_the_day_where_it_exists(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_next_month_tenth_and_a_year_back() -> None:
    assert first_of_next_month(date(2026, 12, 31)) == date(2027, 1, 1)
    assert tenth_of_next_month(date(2026, 2, 28)) == date(2026, 3, 10)
    assert twelve_months_before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert twelve_months_before(date(2026, 11, 20)) == date(2025, 11, 20)
    assert days_in_month(date(2024, 2, 1)) == 29


def test_days_are_local_to_the_operator() -> None:
    late_utc = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # 01:30 on 1 December in Minsk
    assert local_date(late_utc, MINSK) == date(2026, 12, 1)
    assert next_period(late_utc, MINSK) == Period(date(2027, 1, 1), MINSK)
    assert previous_month_start(late_utc, MINSK) == datetime(2026, 11, 1, tzinfo=MINSK)
    start, end = day_bounds(date(2026, 11, 1), date(2026, 11, 30), MINSK)
    assert start == datetime(2026, 11, 1, tzinfo=MINSK) and end == datetime(2026, 12, 1, tzinfo=MINSK)
    assert day_bounds(None, None, MINSK) == (None, None)


def test_a_period_names_itself_and_knows_when_it_starts() -> None:
    period = Period(date(2026, 12, 1), MINSK)
    assert period.name == "2026-12"
    assert period.starts_at == datetime(2026, 12, 1, tzinfo=MINSK)
    assert period.starts_in(3) == datetime(2026, 11, 28, tzinfo=MINSK)
    assert period.following() == Period(date(2027, 1, 1), MINSK)


def test_every_service_reads_one_validated_billing_time_zone() -> None:
    from pydantic import ValidationError

    from services.accounts.settings import AccountsSettings
    from services.gateway.settings import GatewaySettings
    from services.payments.settings import PaymentsSettings

    base = {"billing_env": "dev", "database_url": "postgresql://x", "kafka_bootstrap_servers": "k:9092"}
    for settings in (AccountsSettings, GatewaySettings, PaymentsSettings):
        assert settings(**base, billing_timezone="Europe/Moscow").timezone == ZoneInfo("Europe/Moscow")
        with pytest.raises(ValidationError, match="unknown time zone"):
            settings(**base, billing_timezone="Mars/Olympus")


def test_a_page_carries_its_items_total_and_window() -> None:
    from shared.paging import page_of

    rows = [{"line_id": "a", "secret": 1, "total": 7}, {"line_id": "b", "secret": 2, "total": 7}]
    assert page_of(rows, ["line_id"], limit=2, offset=4) == {
        "items": [{"line_id": "a"}, {"line_id": "b"}], "total": 7, "limit": 2, "offset": 4}
    assert page_of([], ["line_id"], limit=2, offset=0)["total"] == 0
