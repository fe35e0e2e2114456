"""The regular invoice's rules: periods the cabinet may ask about, the window on days 1-3, numbers."""

from __future__ import annotations

import pytest

from services.invoicing.domain.invoice import (
    chargeable_periods,
    due_on,
    ensure_orders_open,
    invoice_number,
    orderable_periods,
    parse_period,
    series_for,
)
from shared.errors import DomainError
from tests.invoicing.factories import day


def test_the_cabinet_sees_charges_of_this_month_and_two_before_and_orders_invoices_of_the_two_before() -> None:
    assert chargeable_periods(day("2027-01-15")) == [day("2027-01-01"), day("2026-12-01"), day("2026-11-01")]
    assert orderable_periods(day("2027-01-15")) == [day("2026-12-01"), day("2026-11-01")]


@pytest.mark.parametrize("today", ["2026-12-01", "2026-12-02", "2026-12-03"])
def test_invoice_orders_are_refused_on_days_one_to_three(today: str) -> None:
    with pytest.raises(DomainError) as refused:
        ensure_orders_open(day(today))
    assert refused.value.code == "invoice.window_closed" and refused.value.extra == {"opens_on": "2026-12-04"}


def test_invoice_orders_are_taken_from_the_fourth() -> None:
    ensure_orders_open(day("2026-12-04"))
    ensure_orders_open(day("2026-12-31"))


@pytest.mark.parametrize("text", ["2021-5", "2021-13", "2021-00", "21-05", "2021-05-01", "２０２１-05", ""])
def test_a_period_is_a_month_like_2021_05(text: str) -> None:
    with pytest.raises(DomainError) as bad:
        parse_period(text)
    assert bad.value.code == "period.invalid" and bad.value.status == 422


def test_numbers_run_per_series_of_a_year_and_are_due_on_the_tenth_of_the_next_month() -> None:
    assert parse_period("2021-05") == day("2021-05-01")
    assert invoice_number(series_for("INV", day("2026-12-01")), 17) == "INV-2026-000017"
    assert due_on(day("2026-12-01")) == day("2027-01-10")
