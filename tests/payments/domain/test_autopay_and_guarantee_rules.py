"""Autopay amounts and timing, guarantees' dates, the billing calendar: pure rules, fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.payments.domain.autopay import AutopayRefused, amount_needed, charge_due, mask_method
from services.payments.domain.events import AutopayCharged, PaymentRegistered
from services.payments.domain.guarantee import GuaranteeRefused, check_guarantee
from shared.calendar import add_months, tenth_of_next_month
from shared.clock import FakeClock
from tests.payments.factories import MINSK, account, day, decide, facts, payment


@pytest.mark.parametrize(
    ("fee", "available", "cap", "expected"),
    [
        ("25.00", "5.00", None, "20.00"),
        ("25.00", "-30.00", None, "55.00"),
        ("25.00", "25.00", None, "0.00"),
        ("25.00", "40.00", None, "0.00"),
        ("25.00", "-30.00", "50.00", "50.00"),
        ("96.26", "0.01", None, "96.25"),
    ],
)
def test_autopay_tops_up_the_next_periods_fees_minus_available_funds_up_to_the_cap(
    fee: str, available: str, cap: str | None, expected: str
) -> None:
    assert amount_needed(Decimal(fee), Decimal(available), Decimal(cap) if cap else None) == Decimal(expected)


def test_autopay_charges_three_days_before_the_next_period_in_local_time() -> None:
    clock = FakeClock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    period, due = charge_due(clock.now(), MINSK)
    assert period.name == "2026-12"
    assert due == datetime(2026, 11, 28, 0, 0, tzinfo=MINSK) == datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))  # switched on inside the 3 days: charge at once
    period, due = charge_due(clock.now(), MINSK)
    assert period.name == "2026-12" and due == clock.now()
    clock.set(datetime(2026, 12, 31, 21, 30, tzinfo=UTC))  # already 1 January in Minsk
    assert charge_due(clock.now(), MINSK)[0].name == "2027-02"


def test_saved_methods_appear_only_masked() -> None:
    assert mask_method("tok_4000 0566 5566 5556") == "****5556"
    assert mask_method("sandbox-card-4242") == "****4242"
    assert mask_method("--!!") == "****"


def test_autopay_records_one_outcome_per_period() -> None:
    acc = account()
    decide(acc, acc.enable_autopay("sandbox", "****4242", None, facts()))
    charged = decide(acc, acc.autopay_charged("2026-12", payment("20.00", "sbx-ch-1"), "pay-1"))
    assert [type(e) for e in charged] == [PaymentRegistered, AutopayCharged]
    assert acc.autopay_charged("2026-12", payment("20.00", "sbx-ch-2"), "pay-2") == []
    assert acc.autopay_failed("2026-12", Decimal("20.00"), "card_declined") == []
    assert acc.autopay_charged("2027-01", payment("20.00", "sbx-ch-3"), "pay-3")


def test_autopay_settings_need_autopay_enabled_first_and_an_open_account() -> None:
    acc = account()
    with pytest.raises(AutopayRefused) as refused:
        acc.change_autopay_cap(Decimal("10.00"))
    assert refused.value.code == "autopay.not_enabled"
    with pytest.raises(AutopayRefused):
        acc.disable_autopay()
    with pytest.raises(AutopayRefused) as closed:
        acc.enable_autopay("sandbox", "****4242", None, facts(closed=True))
    assert closed.value.code == "autopay.account_closed"


ORG = {"organization_id": "org-7", "contract_date": day("2026-01-15")}


def test_a_guarantee_may_promise_up_to_the_tenth_of_next_month() -> None:
    now = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
    check_guarantee(facts(**ORG), day("2026-06-10"), now, MINSK)
    check_guarantee(facts(**ORG), day("2026-05-20"), now, MINSK)
    with pytest.raises(GuaranteeRefused) as late:
        check_guarantee(facts(**ORG), day("2026-06-11"), now, MINSK)
    assert late.value.code == "guarantee.pay_by_too_late" and late.value.extra["latest"] == "2026-06-10"
    with pytest.raises(GuaranteeRefused) as past:
        check_guarantee(facts(**ORG), day("2026-05-19"), now, MINSK)
    assert past.value.code == "guarantee.pay_by_in_the_past"


def test_guarantees_are_for_organizations_with_contracts_older_than_three_months() -> None:
    exactly_three_months = datetime(2026, 4, 15, 9, 0, tzinfo=UTC)
    with pytest.raises(GuaranteeRefused) as young:
        check_guarantee(facts(**ORG), day("2026-05-01"), exactly_three_months, MINSK)
    assert young.value.code == "guarantee.contract_too_young" and young.value.extra["available_from"] == "2026-04-16"
    check_guarantee(facts(**ORG), day("2026-05-01"), exactly_three_months + timedelta(days=1), MINSK)
    with pytest.raises(GuaranteeRefused) as person:
        check_guarantee(facts(), day("2026-05-01"), exactly_three_months + timedelta(days=30), MINSK)
    assert person.value.code == "guarantee.not_an_organization"
    with pytest.raises(GuaranteeRefused) as closed:
        check_guarantee(facts(closed=True, **ORG), day("2026-05-01"), exactly_three_months, MINSK)
    assert closed.value.code == "guarantee.account_closed"


def test_calendar_months_keep_the_day_or_end_at_the_months_last_day() -> None:
    assert add_months(day("2026-01-31"), 1) == day("2026-02-28")
    assert add_months(day("2028-01-31"), 1) == day("2028-02-29")
    assert add_months(day("2026-11-30"), 3) == day("2027-02-28")
    assert tenth_of_next_month(day("2026-12-31")) == day("2027-01-10")
