"""Promised payment rules on the account aggregate, with a fake clock and no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.payments.domain.events import PromisedPaymentExpired, PromisedPaymentRepaid, PromisedPaymentTaken
from services.payments.domain.promised_payment import PromisedPaymentRefused
from shared.clock import FakeClock
from tests.payments.factories import MINSK, account, decide, facts, payment

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def take(aggregate, clock: FakeClock, amount: str, cap: Decimal | None = None, **fact_changes):  # type: ignore[no-untyped-def]
    return decide(aggregate, aggregate.take_promised_payment(
        "pp-1", Decimal(amount), clock.now(), facts(**fact_changes), MINSK, cap))


def test_a_promised_payment_is_credited_at_once_and_due_in_three_days() -> None:
    clock, acc = FakeClock(NOW), account()
    [taken] = take(acc, clock, "25.00")
    assert isinstance(taken, PromisedPaymentTaken)
    assert taken.amount == Decimal("25.00") and taken.taken_at == NOW and taken.due_at == NOW + timedelta(days=3)
    assert acc.available(facts()) == Decimal("25.00")
    assert acc.outstanding_promised is not None and acc.outstanding_promised.status == "outstanding"


@pytest.mark.parametrize(
    ("opened", "age_days", "allowed"),
    [
        (datetime(2026, 1, 1, 10, 0, tzinfo=UTC), 59, False),  # Jan + Feb: 2 calendar months are 59 days
        (datetime(2026, 1, 1, 10, 0, tzinfo=UTC), 60, True),
        (datetime(2026, 7, 1, 10, 0, tzinfo=UTC), 59, False),
        (datetime(2026, 7, 1, 10, 0, tzinfo=UTC), 61, False),  # Jul + Aug: 62 days
        (datetime(2026, 7, 1, 10, 0, tzinfo=UTC), 62, True),
    ],
)
def test_accounts_younger_than_two_months_are_refused(opened: datetime, age_days: int, allowed: bool) -> None:
    clock = FakeClock(opened + timedelta(days=age_days))
    acc = account()
    if allowed:
        assert take(acc, clock, "10.00", opened_at=opened)
        return
    with pytest.raises(PromisedPaymentRefused) as refused:
        take(acc, clock, "10.00", opened_at=opened)
    assert refused.value.code == "promised_payment.account_too_young"
    assert refused.value.extra["available_from"] > clock.now().isoformat()
    assert acc.version == 0 and acc.outstanding_promised is None


def test_second_promised_payment_is_refused_while_first_unpaid() -> None:
    clock, acc = FakeClock(NOW), account()
    take(acc, clock, "20.00")
    clock.advance(timedelta(hours=1))
    with pytest.raises(PromisedPaymentRefused) as refused:
        take(acc, clock, "5.00")
    assert refused.value.code == "promised_payment.already_outstanding"
    offer = acc.offer(facts(), clock.now(), MINSK, None)
    assert not offer.available and offer.reason == "promised_payment.already_outstanding"


def test_amounts_above_the_cap_are_refused_and_the_cap_defaults_to_the_monthly_fee() -> None:
    clock = FakeClock(NOW)
    with pytest.raises(PromisedPaymentRefused) as refused:
        take(account(), clock, "25.01")
    assert refused.value.code == "promised_payment.above_cap" and refused.value.extra["max_amount"] == "25.00"
    assert take(account(), clock, "25.00")
    assert take(account(), clock, "50.00", cap=Decimal("50.00"))
    with pytest.raises(PromisedPaymentRefused):
        take(account(), clock, "50.01", cap=Decimal("50.00"))


def test_closed_accounts_and_accounts_without_fees_are_refused() -> None:
    clock = FakeClock(NOW)
    with pytest.raises(PromisedPaymentRefused) as closed:
        take(account(), clock, "10.00", closed=True)
    assert closed.value.code == "promised_payment.account_closed"
    with pytest.raises(PromisedPaymentRefused) as no_fee:
        take(account(), clock, "10.00", monthly_fee=Decimal("0.00"))
    assert no_fee.value.code == "promised_payment.no_monthly_fee"


def test_later_payments_repay_it_partially_then_fully_without_counting_the_credit_twice() -> None:
    clock, acc = FakeClock(NOW), account()
    take(acc, clock, "25.00")
    first = decide(acc, acc.register_payment(payment("10.00", "cash-1"), "pay-1", "operator"))
    assert first[1] == PromisedPaymentRepaid(account_id="1015", promised_payment_id="pp-1", amount=Decimal("10.00"),
                                             outstanding=Decimal("15.00"), fully_repaid=False, payment_id="pay-1")
    assert acc.available(facts()) == Decimal("25.00")  # the payment went to the credit
    second = decide(acc, acc.register_payment(payment("20.00", "cash-2"), "pay-2", "operator"))
    assert second[1].amount == Decimal("15.00") and second[1].fully_repaid and second[1].outstanding == 0
    assert acc.available(facts()) == Decimal("30.00")  # what was paid, and no credit left
    third = decide(acc, acc.register_payment(payment("5.00", "cash-3"), "pay-3", "operator"))
    assert len(third) == 1  # nothing left to repay
    assert acc.promised["pp-1"].status == "repaid"


def test_at_the_end_of_the_term_the_rest_is_withdrawn_once() -> None:
    clock, acc = FakeClock(NOW), account()
    take(acc, clock, "25.00")
    decide(acc, acc.register_payment(payment("10.00"), "pay-1", "operator"))
    clock.advance(timedelta(days=3) - timedelta(seconds=1))
    assert acc.expire_promised_payment("pp-1", clock.now()) == []
    clock.advance(timedelta(seconds=1))
    [expired] = decide(acc, acc.expire_promised_payment("pp-1", clock.now()))
    assert expired == PromisedPaymentExpired(account_id="1015", promised_payment_id="pp-1", withdrawn=Decimal("15.00"))
    assert acc.available(facts()) == Decimal("10.00")  # only what was paid
    assert acc.promised["pp-1"].status == "expired" and acc.outstanding_promised is None
    assert acc.expire_promised_payment("pp-1", clock.now()) == []
    assert take(acc, clock, "25.00") is not None  # a new one may be taken now


def test_a_repaid_promised_payment_does_not_expire() -> None:
    clock, acc = FakeClock(NOW), account()
    take(acc, clock, "25.00")
    decide(acc, acc.register_payment(payment("25.00"), "pay-1", "operator"))
    clock.advance(timedelta(days=4))
    assert acc.expire_promised_payment("pp-1", clock.now()) == []


def test_the_offer_recommends_the_monthly_fee_or_what_clears_a_debt_up_to_the_maximum() -> None:
    clock = FakeClock(NOW)
    plain = account().offer(facts(), clock.now(), MINSK, None)
    assert plain.available and plain.recommended_amount == Decimal("25.00") and plain.max_amount == Decimal("25.00")
    in_debt = account().offer(facts(opening_balance=Decimal("-40.00")), clock.now(), MINSK, Decimal("50.00"))
    assert in_debt.recommended_amount == Decimal("40.00") and in_debt.max_amount == Decimal("50.00")
    deep = account().offer(facts(opening_balance=Decimal("-90.00")), clock.now(), MINSK, Decimal("50.00"))
    assert deep.recommended_amount == Decimal("50.00")
