"""Equipment installments as the charges stream decides them: monthly payments posted once each in
their month, the last absorbing the rounding remainder, an early payoff charging the rest once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.invoicing.domain.account import AccountCharges
from services.invoicing.domain.events import ChargePosted, InstallmentRegistered
from services.invoicing.domain.installment import Installment, check_terms
from shared.calendar import add_months
from shared.clock import FakeClock
from shared.errors import DomainError
from shared.money import split_evenly
from tests.invoicing.factories import at

NOV = date(2026, 11, 1)


def registered(total: str = "100.00", payments: int = 3, first: date = NOV) -> InstallmentRegistered:
    amounts = split_evenly(Decimal(total), payments)
    return InstallmentRegistered(account_id="1015", installment_id="i-1", line_id="inet-1015", description="Роутер",
                                 total=Decimal(total), payments=payments, first_month=first, monthly_amount=amounts[0],
                                 last_amount=amounts[-1], vat_rate=Decimal("20"), registered_at=at("2026-11-20"))


def charges_with(event: InstallmentRegistered) -> AccountCharges:
    charges = AccountCharges("charges-1015")
    charges.replay([event])
    return charges


def test_payments_add_up_to_the_total_and_the_last_absorbs_the_remainder() -> None:
    assert split_evenly(Decimal("100.00"), 3) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert split_evenly(Decimal("200.00"), 3) == [Decimal("66.67"), Decimal("66.67"), Decimal("66.66")]
    for total, parts in [("999.99", 7), ("0.05", 5), ("1000.00", 60), ("12.34", 1)]:
        amounts = split_evenly(Decimal(total), parts)
        assert sum(amounts) == Decimal(total) and len(amounts) == parts


def test_each_month_posts_its_payment_once_with_vat_inside_the_amount() -> None:
    clock = FakeClock(at("2026-11-20"))
    charges = charges_with(registered())
    posted: list[ChargePosted] = []
    for n in range(4):  # one month past the last payment
        period = add_months(NOV, n)
        first = charges.post_installments(period, clock.now())
        charges.replay(first)
        assert charges.post_installments(period, clock.now()) == []  # again: nothing new
        posted += first
    assert [(p.period, p.total, p.kind, p.item, p.charge_id) for p in posted] == [
        (date(2026, 11, 1), Decimal("33.33"), "installment", "installment:i-1", "2026-11/installment:i-1/1"),
        (date(2026, 12, 1), Decimal("33.33"), "installment", "installment:i-1", "2026-12/installment:i-1/2"),
        (date(2027, 1, 1), Decimal("33.34"), "installment", "installment:i-1", "2027-01/installment:i-1/3"),
    ]
    assert posted[0].net + posted[0].vat == posted[0].total and posted[0].vat == Decimal("5.5550")
    assert posted[0].description == "Рассрочка: Роутер, платёж 1 из 3" and posted[0].line_id == "inet-1015"
    assert sum(p.total for p in posted) == Decimal("100.00")


def test_an_early_payoff_charges_what_is_left_once_and_no_later_payment() -> None:
    now = at("2026-12-10")
    charges = charges_with(registered())
    charges.replay(charges.post_installments(NOV, now))
    charges.replay(charges.post_installments(date(2026, 12, 1), now))
    payoff = charges.pay_off_installment("i-1", date(2026, 12, 1), now)
    charges.replay(payoff)
    [_, line] = payoff
    assert isinstance(line, ChargePosted) and line.total == Decimal("33.34")
    assert line.charge_id == "2026-12/installment:i-1/payoff"
    assert charges.post_installments(date(2027, 1, 1), now) == []
    assert charges.installments_charged["i-1"] == Decimal("100.00")
    with pytest.raises(DomainError) as refused:
        charges.pay_off_installment("i-1", date(2026, 12, 1), now)
    assert refused.value.code == "installment.paid_off"
    with pytest.raises(DomainError) as unknown:
        charges.pay_off_installment("i-2", date(2026, 12, 1), now)
    assert unknown.value.code == "installment.not_found"


def test_an_invoiced_period_takes_no_installment_payment() -> None:
    charges = charges_with(registered())
    charges.invoices[NOV] = "inv-1"
    assert charges.post_installments(NOV, at("2026-12-01")) == []


def test_installments_survive_a_snapshot() -> None:
    now = at("2026-11-20")
    charges = charges_with(registered())
    charges.replay(charges.post_installments(NOV, now))
    restored = AccountCharges("charges-1015")
    restored.restore_state(charges.snapshot_state())
    assert restored.installments == charges.installments
    assert restored.post_installments(NOV, now) == []
    assert [p.charge_id for p in restored.post_installments(date(2026, 12, 1), now)] == ["2026-12/installment:i-1/2"]


def test_payment_due_and_its_number() -> None:
    plan = Installment("i-1", None, "ТВ-приставка", Decimal("120.00"), 12, date(2027, 1, 1), Decimal("20"))
    assert plan.payment_due(date(2026, 12, 1)) is None
    assert plan.payment_due(date(2027, 1, 1)) == (1, Decimal("10.00"))
    assert plan.payment_due(date(2027, 12, 1)) == (12, Decimal("10.00"))
    assert plan.payment_due(date(2028, 1, 1)) is None
    assert plan.last_month == date(2027, 12, 1)


@pytest.mark.parametrize(("total", "payments", "first", "code"), [
    ("100.00", 0, "2026-11-01", "installment.payments_invalid"),
    ("100.00", 61, "2026-11-01", "installment.payments_invalid"),
    ("0.05", 6, "2026-11-01", "installment.amount_too_small"),
    ("100.00", 3, "2026-10-01", "installment.first_month_out_of_range"),
    ("100.00", 3, "2027-12-01", "installment.first_month_out_of_range"),
])
def test_terms_out_of_bounds_are_refused(total: str, payments: int, first: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_terms(Decimal(total), payments, date.fromisoformat(first), date(2026, 11, 20))
    assert refused.value.code == code


def test_terms_within_bounds_give_the_first_month() -> None:
    assert check_terms(Decimal("100.00"), 3, date(2027, 11, 15), date(2026, 11, 20)) == date(2027, 11, 1)


def test_the_fee_forecast_counts_the_periods_installment_payment() -> None:
    charges = charges_with(registered(first=date(2026, 12, 1)))
    now = at("2026-11-20")
    assert [f.amount for f in charges.forecast(NOV, {}, now)] == [Decimal("0.00")]
    [december] = charges.forecast(date(2026, 12, 1), {}, now)
    assert december.amount == Decimal("33.33")
    [february] = charges.forecast(date(2027, 2, 1), {}, now)
    assert february.amount == Decimal("33.34")
